// A relay server in a process of its own, for the soak and fuzz runs: its memory is measured
// apart from the load's. Forked by `startServerProcess`; talks over the IPC channel.
import { createServer } from '../src/server/index.js';
import { caughtLogger } from './caught-logger.js';

/** Messages the parent sends. */
export type ToServerChild = { type: 'sample' } | { type: 'stop' };
/** Messages the child sends. */
export type FromServerChild =
  | { type: 'listening'; port: number }
  | { type: 'sample'; heapUsed: number; rss: number; connections: number; users: number }
  | { type: 'crash'; error: string };

const send = (message: FromServerChild): void => {
  process.send?.(message);
};

// An exception that escapes the server is exactly what the runs look for: report, then die.
process.on('uncaughtException', (err) => {
  send({ type: 'crash', error: err.stack ?? String(err) });
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  send({ type: 'crash', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(70);
});

const maxOutputBytes = Number(process.env.RELAYKIT_STRESS_MAX_OUTPUT ?? 4 * 1024 * 1024);
// A handler's exception that the server caught (ERR UNKNOWN to one client) is reported too:
// the server lives on, but the run fails.
const logger = caughtLogger((reason) =>
  send({ type: 'crash', error: `caught by the server (its client got ERR UNKNOWN): ${reason}` }),
);
// `npm run fuzz -- --cluster`: this process is node RELAYKIT_STRESS_NODE of a cluster.
const clusterUrl = process.env.RELAYKIT_STRESS_CLUSTER;
const cluster =
  clusterUrl === undefined
    ? {}
    : { cluster: { url: clusterUrl, prefix: 'stress', nodeId: process.env.RELAYKIT_STRESS_NODE } };
const server = createServer({ host: '127.0.0.1', port: 0, maxOutputBytes, logger, ...cluster });
const { port } = await server.listen(0, '127.0.0.1');
send({ type: 'listening', port });

// The run that forked this process is gone (killed, or it crashed): no one will stop us.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ToServerChild) => {
  if (message.type === 'sample') {
    // After a full collection, heapUsed is what is still referenced: the number a leak moves.
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    const { connections, users } = server.stats;
    send({ type: 'sample', heapUsed, rss, connections, users });
  } else if (message.type === 'stop') {
    void server.close('stress run over').then(() => process.exit(0));
  }
});
