import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/connection.js';
import { encode, frames } from '../../src/protocol/index.js';

let server: Server | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** `n` server-side sockets of real loopback connections (port 0). */
async function pairs(n: number): Promise<Socket[]> {
  const accepted: Socket[] = [];
  server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  for (let i = 0; i < n; i++) {
    const c = connect(port, '127.0.0.1');
    c.on('error', () => {});
    sockets.push(c);
    await new Promise((resolve) => c.once('connect', resolve));
  }
  await vi.waitFor(() => expect(accepted.length).toBe(n));
  sockets.push(...accepted);
  return accepted;
}

const handlers = { frame: () => {}, protocolError: () => {}, close: () => {} };

describe('Connection sends', () => {
  it("write each connection's frames of one tick as one buffer, in order, tick after tick", async () => {
    const [sa, sb] = await pairs(2);
    const a = new Connection(sa!, handlers, { side: 'server' });
    const b = new Connection(sb!, handlers, { side: 'server' });
    const wa = vi.spyOn(sa!, 'write');
    const wb = vi.spyOn(sb!, 'write');
    const f = (t: string): Buffer => encode(frames.post('ops', 'al', t));
    for (let round = 0; round < 3; round++) {
      a.sendRaw(f(`a1.${round}`));
      b.sendRaw(f(`b1.${round}`));
      a.sendRaw(f(`a2.${round}`));
      expect(a.bufferedBytes).toBe(2 * f('a1.0').length);
      await new Promise((resolve) => setImmediate(resolve));
      expect(wa).toHaveBeenCalledTimes(round + 1);
      expect(wb).toHaveBeenCalledTimes(round + 1);
      expect(wa.mock.calls[round]![0]).toEqual(Buffer.concat([f(`a1.${round}`), f(`a2.${round}`)]));
      expect(wb.mock.calls[round]![0]).toEqual(f(`b1.${round}`));
    }
  });

  it('with flushPerTurn, write the frames of every tick of one turn as one buffer', async () => {
    const [sa, sb] = await pairs(2);
    const a = new Connection(sa!, handlers, { side: 'server', flushPerTurn: true });
    const b = new Connection(sb!, handlers, { side: 'server' });
    const wa = vi.spyOn(sa!, 'write');
    const wb = vi.spyOn(sb!, 'write');
    const f = (t: string): Buffer => encode(frames.post('ops', 'al', t));
    for (let round = 0; round < 2; round++) {
      // Three ticks of one turn, as three TLS records read in one go would make.
      a.sendRaw(f(`a1.${round}`));
      b.sendRaw(f(`b1.${round}`));
      await new Promise<void>((resolve) => process.nextTick(resolve));
      expect(wb).toHaveBeenCalledTimes(2 * round + 1);
      a.sendRaw(f(`a2.${round}`));
      b.sendRaw(f(`b2.${round}`));
      await new Promise<void>((resolve) => process.nextTick(resolve));
      expect(wb).toHaveBeenCalledTimes(2 * round + 2);
      a.sendRaw(f(`a3.${round}`));
      expect(wa).toHaveBeenCalledTimes(round);
      await new Promise((resolve) => setImmediate(resolve));
      expect(wa).toHaveBeenCalledTimes(round + 1);
      expect(wa.mock.calls[round]![0]).toEqual(
        Buffer.concat([f(`a1.${round}`), f(`a2.${round}`), f(`a3.${round}`)]),
      );
    }
  });

  it('with flushPerTurn, flush what is queued before closing', async () => {
    const [sa] = await pairs(1);
    // The peer never closes its side: the close timeout ends it.
    const a = new Connection(sa!, handlers, {
      side: 'server',
      flushPerTurn: true,
      closeTimeoutMs: 50,
    });
    const wa = vi.spyOn(sa!, 'write');
    a.sendRaw(encode(frames.post('ops', 'al', 'last words')));
    const closed = a.end();
    expect(wa).toHaveBeenCalledTimes(1);
    await closed;
  });
});
