import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { round } from '../lib/stats.js';
import { deferred, destroyAll, hold, type LoadContext, mainTarget, reading } from './net.js';
import { digits, FrameScanner, HEARTBEAT, K, nameFrame, queryFrame } from './wire.js';

/**
 * connect: `clients` clients register (NEW_CLIENT, then QUERY_USER about themselves: the
 * answer "online" proves the registration went through), at most `concurrency` at a time,
 * then all hold for `holdSeconds` sending heartbeats every `heartbeatMs`.
 */
export async function connectMany(
  ctx: LoadContext,
): Promise<Record<string, Record<string, unknown>>> {
  const target = mainTarget(ctx);
  const { clients = 10_000, concurrency = 256, holdSeconds = 15, heartbeatMs = 4_000 } = ctx.params;
  const sockets: Socket[] = [];
  const alive = new Uint8Array(clients);
  let registered = 0;
  let refused = 0;
  let failed = 0;
  let closedWhileHolding = 0;
  let holding = false;
  let launched = 0;
  let lastRegistered = 0;
  const allDone = deferred();

  const settle = (): void => {
    if (registered + refused + failed === clients) allDone.resolve();
    else if (launched < clients) launch();
  };

  const launch = (): void => {
    const c = launched++;
    const name = `c${digits(c, 5)}`;
    let state: 'connecting' | 'registered' | 'over' = 'connecting';
    const scanner = new FrameScanner((kind, buf, p) => {
      if (kind === K.QUERY_USER && state === 'connecting' && buf[p + 64] === 1) {
        state = 'registered';
        alive[c] = 1;
        registered++;
        lastRegistered = performance.now();
        settle();
      } else if (kind === K.ERR && state !== 'over') {
        if (state === 'connecting') refused++;
        state = 'over';
        alive[c] = 0;
        if (refused + registered + failed === clients) allDone.resolve();
      }
    });
    const socket = connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      ...reading((chunk) => scanner.push(chunk)),
    });
    sockets.push(socket);
    socket.on('connect', () => {
      socket.write(Buffer.concat([nameFrame(K.NEW_CLIENT, name), queryFrame(name)]));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (holding && alive[c] === 1) closedWhileHolding++;
      alive[c] = 0;
      if (state === 'connecting') {
        failed++;
        state = 'over';
        settle();
      }
    });
  };

  await ctx.mark(target.name, 'start', true);
  const start = performance.now();
  for (let i = 0; i < Math.min(concurrency, clients); i++) launch();
  const timeout = setTimeout(() => allDone.resolve(), 60_000);
  await allDone.promise;
  clearTimeout(timeout);
  const registerSeconds = Math.max(0, (lastRegistered - start) / 1000);
  // CPU is judged over the registrations; memory once everyone has held for a while.
  const afterRegistration = await ctx.mark(target.name, 'end');

  holding = true;
  let beat = 0;
  const slices = 40;
  const heartbeat = setInterval(() => {
    const slice = beat++ % slices;
    for (let c = slice; c < sockets.length; c += slices) {
      if (alive[c] === 1) sockets[c]!.write(HEARTBEAT);
    }
  }, heartbeatMs / slices);
  if (registered > 0) await hold(holdSeconds * 1000);
  clearInterval(heartbeat);
  let connected = 0;
  for (let c = 0; c < clients; c++) connected += alive[c]!;
  const atEnd = await ctx.mark(target.name, 'held', true);
  destroyAll(sockets);

  return {
    [target.name]: {
      clients,
      concurrency,
      holdSeconds,
      registered,
      refused,
      failed,
      registerSeconds: round(registerSeconds),
      registrationsPerSecond: registered === 0 ? 0 : Math.round(registered / registerSeconds),
      connectedAtEnd: connected,
      closedWhileHolding,
      serverConnections: atEnd?.stats?.connections ?? null,
      serverUsers: atEnd?.stats?.users ?? null,
      serverRssAfterRegistration: afterRegistration?.rss ?? null,
    },
  };
}
