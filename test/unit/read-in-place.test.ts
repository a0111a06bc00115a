import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectReadingInPlace, holdReads, takeReads } from '../../src/read-in-place.js';

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

  it('lets the event loop run after about 1 MiB in one turn, and keeps an owner pause', async () => {
    const data = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    const port = await serving(data);
    const socket = connectReadingInPlace({ host: '127.0.0.1', port });
    sockets.push(socket);
    const closed = once(socket, 'close');
    let delivered = 0;
    let worstTurn = 0;
    let atTurn = 0;
    let ended = false;
    // A check-phase callback each turn: how much was read between two of them.
    const tick = (): void => {
      worstTurn = Math.max(worstTurn, delivered - atTurn);
      atTurn = delivered;
      if (!ended) setImmediate(tick);
    };
    setImmediate(tick);
    const got: Buffer[] = [];
    let ownerPaused = false;
    takeReads(socket, (chunk) => {
      got.push(Buffer.from(chunk));
      delivered += chunk.length;
      // A slow consumer, so the kernel has plenty waiting at every poll.
      const until = performance.now() + 0.3;
      while (performance.now() < until);
      if (!ownerPaused && delivered >= 8 * 1024 * 1024) {
        ownerPaused = true;
        holdReads(socket, true);
        socket.pause();
      }
    });
    await until(() => ownerPaused);
    const heldAt = delivered;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    // The end of a turn does not undo the owner's pause.
    expect(delivered).toBe(heldAt);
    holdReads(socket, false);
    socket.resume();
    await closed;
    ended = true;
    expect(Buffer.concat(got).equals(data)).toBe(true);
    // One read may straddle the mark: 1 MiB plus one 256 KiB read at most.
    expect(worstTurn).toBeLessThanOrEqual(1024 * 1024 + 256 * 1024);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}
