import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectReadingInPlace, takeReads } from '../../src/read-in-place.js';

let server: Server | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server !== null) await new Promise((r) => server!.close(r));
  server = null;
});

/** A server that writes `data` to each connection as soon as it is accepted, then ends it. */
async function serving(data: Buffer): Promise<number> {
  server = createServer((s) => {
    sockets.push(s);
    s.end(data);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('connectReadingInPlace', () => {
  it('hands every byte to the sink in order, reads before takeReads included', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    const port = await serving(data);
    const socket = connectReadingInPlace({ host: '127.0.0.1', port });
    sockets.push(socket);
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    // Let some reads land before anyone takes them: they are kept, copied.
    await new Promise((r) => setTimeout(r, 20));
    const got: Buffer[] = [];
    // The buffer is reused for the next read, so the sink copies what it keeps.
    expect(takeReads(socket, (chunk) => got.push(Buffer.from(chunk)))).toBe(true);
    await closed;
    await Promise.resolve(); // the reads kept early come in a microtask
    expect(Buffer.concat(got).equals(data)).toBe(true);
  });

  it('leaves other sockets to their data events', async () => {
    const port = await serving(Buffer.from('hello'));
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    expect(takeReads(socket, () => undefined)).toBe(false);
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    expect(String(chunk)).toBe('hello');
  });
});
