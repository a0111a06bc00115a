import { createServer as netServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect } from '../../../src/client/index.js';

// A port with nothing listening: bind one on port 0, note it, close it.
async function deadPort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('connect() with an abort signal and a refused connection', () => {
  it('rejects with ABORTED when the signal is already aborted, and nothing crashes later', async () => {
    const port = await deadPort();
    const ac = new AbortController();
    ac.abort();
    await expect(connect({ name: 'me', port, signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    // Give the abandoned socket's ECONNREFUSED time to arrive: it must be swallowed.
    await new Promise((r) => setTimeout(r, 50));
  });

  it('rejects with ABORTED when aborted while dialling', async () => {
    const port = await deadPort();
    const ac = new AbortController();
    const pending = connect({ name: 'me', port, signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await new Promise((r) => setTimeout(r, 50));
  });

  it('rejects with CONNECTION_REFUSED when nothing listens', async () => {
    const port = await deadPort();
    await expect(connect({ name: 'me', port })).rejects.toMatchObject({
      code: 'CONNECTION_REFUSED',
    });
  });
});
