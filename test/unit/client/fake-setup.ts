import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Client, connect } from '../../../src/client/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';

/** Undo steps of the current test, run last-in first-out after it (importing registers the hook). */
export const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

/** A scripted fake server and a client registered on it as `me`; both closed after the test. */
export async function fakeClient(
  opts: Record<string, unknown> = {},
): Promise<{ client: Client; peer: FakePeer; server: FakeServer }> {
  const server = new FakeServer();
  const port = await server.listen();
  cleanup.push(() => server.close());
  const client = await connect({ name: 'me', port, ...opts });
  cleanup.push(() => client.close());
  return { client, peer: await server.peer(), server };
}

/** A fresh temporary directory, removed after the test. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
