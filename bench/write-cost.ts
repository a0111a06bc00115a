/**
 * The floor of an unbatched fan-out on this machine: what one plain `socket.write` of a
 * POST-sized buffer costs when a post goes to every member of a big room as its own write
 * (as a lone post does: nothing else is queued for the member to share the write with).
 * Two processes, no protocol: this one writes `--bytes` to each of `--members` loopback
 * sockets, `--posts` times, one post every `--every` ms; a child process reads them all.
 *
 *   npm run bench:write-cost -- [--members 5000] [--posts 200] [--every 50] [--bytes 140]
 */
import { fork } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { scriptArgs, wholeNumber } from '../stress/cli-args.js';

const USAGE = `npm run bench:write-cost -- [--members N] [--posts P] [--every MS] [--bytes B]
  --members N  loopback sockets, one per member (default 5000)
  --posts P    posts, each written to every member (default 200)
  --every MS   milliseconds between posts (default 50)
  --bytes B    bytes of one post (default 140)`;
const values = scriptArgs(
  {
    members: { type: 'string', default: '5000' },
    posts: { type: 'string', default: '200' },
    every: { type: 'string', default: '50' },
    bytes: { type: 'string', default: '140' },
    // The readers' process: this file forks itself with it.
    sink: { type: 'boolean', default: false },
  },
  USAGE,
);
const members = wholeNumber('members', values.members, 1, USAGE);
const posts = wholeNumber('posts', values.posts, 1, USAGE);
const every = wholeNumber('every', values.every, 0, USAGE);
const bytes = wholeNumber('bytes', values.bytes, 1, USAGE);

if (values.sink) {
  // The readers' side, in a process of its own as the members would be.
  const server = createServer((socket) => socket.on('data', () => {}));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address !== null ? address.port : 0);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const sink = fork(new URL(import.meta.url).pathname, ['--sink'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) =>
    sink.once('message', (p) => resolve(Number(p))),
  );
  const sockets: Socket[] = [];
  for (let i = 0; i < members; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, members - i) },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => resolve());
          socket.setNoDelay(true);
          sockets.push(socket);
        }),
    );
    await Promise.all(batch);
  }
  const post = Buffer.alloc(bytes, 0x61);
  const spans: number[] = [];
  const before = process.cpuUsage();
  for (let p = 0; p < posts; p++) {
    const start = performance.now();
    for (const socket of sockets) socket.write(post);
    spans.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  const cpu = process.cpuUsage(before);
  const writes = members * posts;
  spans.sort((a, b) => a - b);
  const us = (n: number): string => (n / writes).toFixed(2);
  process.stdout.write(
    `${writes} writes of ${post.length} bytes to ${members} sockets: ` +
      `${us(cpu.user)} µs user + ${us(cpu.system)} µs system per write; ` +
      `one post to all ${members} took ${spans[Math.floor(posts / 2)]!.toFixed(1)} ms (median), ` +
      `${spans[Math.floor(posts * 0.99)]!.toFixed(1)} ms (p99)\n`,
  );
  for (const socket of sockets) socket.destroy();
  sink.disconnect();
}
