import { createServer as netServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { connect } from '../../../src/client/index.js';

// A port with nothing listening: bind one on port 0, note it, close it.
async function deadPort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Open TCP sockets in this process (the abandoned dial is one until it is fully closed). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/**
 * Waits until the abandoned socket is gone, counting errors that escape meanwhile: once no
 * socket is left, no late ECONNREFUSED can arrive, so an empty list is the whole proof.
 */
async function escapedErrorsUntilSocketsClose(before: number): Promise<unknown[]> {
  const escaped: unknown[] = [];
  const record = (e: unknown) => void escaped.push(e);
  process.on('uncaughtException', record);
  try {
    await vi.waitFor(() => expect(openSockets()).toBeLessThanOrEqual(before), {
      timeout: 5_000,
      interval: 10,
    });
  } finally {
    process.off('uncaughtException', record);
  }
  return escaped;
}

describe('connect() with an abort signal and a refused connection', () => {
  it('rejects with ABORTED when the signal is already aborted, and nothing crashes later', async () => {
    const port = await deadPort();
    const before = openSockets();
    const ac = new AbortController();
    ac.abort();
    await expect(connect({ name: 'me', port, signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    // The abandoned socket's ECONNREFUSED, if it comes, must be swallowed.
    expect(await escapedErrorsUntilSocketsClose(before)).toEqual([]);
  });

  it('rejects with ABORTED when aborted while dialling', async () => {
    const port = await deadPort();
    const before = openSockets();
    const ac = new AbortController();
    const pending = connect({ name: 'me', port, signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await escapedErrorsUntilSocketsClose(before)).toEqual([]);
  });

  it('rejects with CONNECTION_REFUSED when nothing listens', async () => {
    const port = await deadPort();
    await expect(connect({ name: 'me', port })).rejects.toMatchObject({
      code: 'CONNECTION_REFUSED',
    });
  });
});
