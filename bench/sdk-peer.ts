/**
 * One end of the `sdk-file` and `file-server` scenarios, in a process of its own so that its
 * CPU time is its own: an SDK client that sends files from disk (`sender`), accepts them
 * into a directory (`receiver`), as `relaykit send` and `relaykit receive` do, or runs the
 * file server bot on a directory (`files`), as `relaykit serve-files` does. It answers usage
 * requests over IPC like the server process, and reports each transfer's outcome.
 *
 * Usage: spawned by bench/load/sdk-file.ts and bench/load/file-server.ts; not by hand.
 *   node --import tsx bench/sdk-peer.ts sender|receiver|files HOST PORT NAME [DIR]
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ownUsage } from './lib/ipc.js';
import { compiledRoot } from './lib/proc.js';

/** Orchestrator → peer. */
export type PeerRequest =
  | { type: 'usage' }
  | { type: 'send'; to: string; path: string }
  | { type: 'direct'; to: string; text: string }
  | { type: 'remove'; path: string };
/** Peer → orchestrator. */
export type PeerReply =
  | { type: 'ready' }
  | ({ type: 'usage' } & ReturnType<typeof ownUsage>)
  | { type: 'sent'; bytes: number; sha256: string }
  | { type: 'received'; bytes: number; sha256: string; path: string; atMs: number }
  | { type: 'removed' }
  | { type: 'failed'; message: string };

// Only the part of the SDK this process uses, so the bench does not depend on the rest.
interface PeerTransfer {
  done: Promise<{ bytes: number; sha256: string; path?: string }>;
}
interface PeerClient {
  sendFile(to: string, path: string): PeerTransfer;
  onOffer(fn: (offer: { accept(to: { dir: string }): PeerTransfer }) => void): () => void;
  direct(to: string, text: string): Promise<unknown>;
  close(): Promise<void>;
}
interface ClientModule {
  connect(options: { name: string; host: string; port: number }): Promise<PeerClient>;
}
interface BotsModule {
  fileServer(client: PeerClient, options: { dir: string }): Promise<{ stop(): Promise<void> }>;
}

const [role, host, port, name, dir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const send = (m: PeerReply): void => {
  process.send?.(m);
};
const fail = (err: unknown): void =>
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });

const mod = (await import(
  pathToFileURL(join(compiledRoot(), 'src', 'index.js')).href
)) as ClientModule;
const client = await mod.connect({ name, host, port: Number(port) });

let files: { stop(): Promise<void> } | undefined;
if (role === 'files') {
  const bots = (await import(
    pathToFileURL(join(compiledRoot(), 'bots', 'index.js')).href
  )) as BotsModule;
  files = await bots.fileServer(client, { dir: dir! });
}

if (role === 'receiver') {
  client.onOffer((offer) => {
    offer.accept({ dir: dir! }).done.then(
      (r) =>
        send({
          type: 'received',
          bytes: r.bytes,
          sha256: r.sha256,
          path: r.path ?? '',
          atMs: performance.timeOrigin + performance.now(),
        }),
      fail,
    );
  });
}

process.on('message', (m: PeerRequest) => {
  if (m.type === 'usage') send({ type: 'usage', ...ownUsage() });
  else if (m.type === 'send') {
    client.sendFile(m.to, m.path).done.then((r) => send({ type: 'sent', ...r }), fail);
  } else if (m.type === 'direct') {
    client.direct(m.to, m.text).catch(fail);
  } else if (m.type === 'remove') {
    rm(m.path, { force: true }).then(() => send({ type: 'removed' }), fail);
  }
});
send({ type: 'ready' });

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 1_000).unref();
  Promise.resolve(files?.stop())
    .then(() => client.close())
    .then(
      () => process.exit(0),
      () => process.exit(0),
    );
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
