/**
 * The baselines, each a bare TCP server with no protocol, in a process of its own:
 *
 * - `pipe`: the first connection is the source, the second the sink; every byte read from
 *   the source is written to the sink (with backpressure). The physical limit for `file`.
 * - `raw-fanout`: every buffer read from any connection is written, unparsed, to every
 *   other connection. The physical limit for `fanout`.
 * - `raw-rooms GROUPS`: connection i (in accept order) joins group i mod GROUPS; every buffer
 *   read is written, unparsed, to every connection of its group, the sender's included. The
 *   floor for `rooms` latency on this machine at this moment. With BURN_US, it first keeps
 *   the CPU busy that many microseconds per read, as a server with work per post would.
 *
 * Usage: node --import tsx bench/baseline-process.ts pipe|raw-fanout|raw-rooms [GROUPS [BURN_US]]
 */
import { createServer, type Socket } from 'node:net';
import type { ServerRequest } from './lib/ipc.js';
import { ownUsage } from './lib/ipc.js';
import { watchLoop } from './lib/loop.js';

const mode = process.argv[2];
if (mode !== 'pipe' && mode !== 'raw-fanout' && mode !== 'raw-rooms') {
  process.stderr.write('usage: baseline-process.ts pipe|raw-fanout|raw-rooms [GROUPS [BURN_US]]\n');
  process.exit(2);
}
const groups = Number(process.argv[3] ?? 20);
const burnNs = BigInt(Math.round(Number(process.argv[4] ?? 0) * 1000));

const sockets: Socket[] = [];

function pipe(socket: Socket): void {
  sockets.push(socket);
  if (sockets.length !== 2) return;
  const [source, sink] = sockets as [Socket, Socket];
  source.on('data', (chunk: Buffer) => {
    if (!sink.write(chunk)) source.pause();
  });
  sink.on('drain', () => source.resume());
  source.on('end', () => sink.end());
}

function rawFanout(socket: Socket): void {
  sockets.push(socket);
  socket.on('data', (chunk: Buffer) => {
    for (const other of sockets) if (other !== socket) other.write(chunk);
  });
  socket.on('close', () => sockets.splice(sockets.indexOf(socket), 1));
}

const rooms: Socket[][] = Array.from({ length: groups }, () => []);
let accepted = 0;

function rawRooms(socket: Socket): void {
  const group = rooms[accepted++ % groups]!;
  group.push(socket);
  socket.on('data', (chunk: Buffer) => {
    if (burnNs > 0n) {
      const until = process.hrtime.bigint() + burnNs;
      while (process.hrtime.bigint() < until);
    }
    for (const member of group) member.write(chunk);
  });
  socket.on('close', () => group.splice(group.indexOf(socket), 1));
}

const server = createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  if (mode === 'pipe') pipe(socket);
  else if (mode === 'raw-rooms') rawRooms(socket);
  else rawFanout(socket);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.send?.({ type: 'ready', port });
});

const loop = watchLoop();
process.on('message', (m: ServerRequest) => {
  if (m.type !== 'usage') return;
  if (m.gc) loop.forcedGc();
  process.send?.({ type: 'usage', ...ownUsage(), loop: loop.take() });
});
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
