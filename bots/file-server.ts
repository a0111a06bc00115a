import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { type Client, ensureDirectory, type OfferContext, TransferError } from '../src/index.js';
import { type CommandDeps, gone, offeredName, runCommand } from './file-server/commands.js';
import { formatSize, shownName } from './file-server/format.js';
import { HashCache } from './file-server/listing.js';
import { entryKind, isHidden, resolveInside, shownPath } from './file-server/paths.js';
import { UserQueues, type Waiting } from './file-server/queue.js';
import { usedBytes, userFolder } from './file-server/uploads.js';
import { type BotHandle, nameFilter } from './types.js';

/** Options of `fileServer`. */
export interface FileServerOptions {
  /** The folder to serve (created if missing). Nothing outside it is ever read or written. */
  dir: string;
  /** Take files offered to the bot, into `uploads/<user>/` (default false). */
  upload?: boolean;
  /** Largest upload in bytes (default 100 MiB). */
  maxUploadSize?: number;
  /** Bytes each user may keep in uploads (default 1 GiB). */
  quotaPerUser?: number;
  /** Only these users may use the bot (default: everyone). */
  from?: string | readonly string[];
  /** Post `new file: <name> (<size>) from <user>` in this room for each upload (joined at start). */
  announce?: string;
  /** Transfers running at once per user; more wait in a queue (default 3). */
  maxRunningPerUser?: number;
  /** Give up on an offer not answered within this many ms (default 10 minutes). */
  offerTimeoutMs?: number;
  /** One line per thing done (a file sent, an upload stored), for a log. */
  onEvent?: (line: string) => void;
  /** Called when an answer cannot be sent or a handler fails; default: dropped. */
  onError?: (error: unknown) => void;
}

/** What `fileServer` resolves with. */
export interface FileServerHandle extends BotHandle {
  /** The served folder's real path. */
  readonly dir: string;
}

const MIB = 1024 * 1024;

/**
 * A file server by direct message (the draft's §11): users send `help`, `ls`, `find`, `info`,
 * `get`, `queue`, `cancel` and, with uploads on, offer files and `rm` their own. No path ever
 * leaves `dir`; hidden files stay hidden; every refusal says what to do instead.
 *
 * @example
 * const client = await connect({ name: 'files' })
 * const bot = await fileServer(client, { dir: './shared', upload: true, announce: 'lobby' })
 * // a user: "ls" → the listing; "get docs/report.pdf" → an offer of the file
 * await bot.stop()
 */
export async function fileServer(
  client: Client,
  options: FileServerOptions,
): Promise<FileServerHandle> {
  ensureDirectory(options.dir);
  const root = await realpath(options.dir);
  const upload = options.upload ?? false;
  const maxUpload = options.maxUploadSize ?? 100 * MIB;
  const quota = options.quotaPerUser ?? 1024 * MIB;
  const allowed = nameFilter(options.from);
  const onError = options.onError ?? (() => {});
  const log = options.onEvent ?? (() => {});
  const offerTimeoutMs = options.offerTimeoutMs ?? 10 * 60_000;
  if (options.announce !== undefined) await client.join(options.announce);

  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
  };
  const tell = (user: string, lines: string[]): Promise<void> =>
    lines.length === 0
      ? Promise.resolve()
      : client.direct(user, lines.join('\n')).then(
          () => undefined,
          (err: unknown) => onError(err),
        );
  const transfers = new Set<{ cancel(): void }>();
  let stopped = false;

  // A queued `get` when its turn comes: the file is looked up again (it may have gone).
  const send = async (user: string, job: Waiting): Promise<void> => {
    if (stopped) return;
    const at = await resolveInside(root, job.typed);
    const kind = at.ok ? await entryKind(root, at.path) : null;
    if (!at.ok || kind === null || kind.kind !== 'file') {
      await tell(user, [at.ok ? gone(at.shown) : at.answer]);
      return;
    }
    const name = offeredName(at.path);
    const transfer = client.sendFile(user, kind.real, { name, answerTimeoutMs: offerTimeoutMs });
    transfers.add(transfer);
    await tell(user, [
      `Offering ${shownName(at.shown)} (${formatSize(kind.size)}): accept it to receive it.`,
    ]);
    try {
      const done = await transfer.done;
      log(`sent ${at.shown} to ${user} (${done.bytes} bytes, sha256 ${done.sha256})`);
    } catch (err) {
      const code = err instanceof TransferError ? err.code : '';
      const answer =
        code === 'IO_ERROR'
          ? gone(at.shown)
          : code === 'INVALID_ARGUMENT'
            ? `${shownName(at.shown)} cannot be offered: ${(err as Error).message}. Ask the owner of this server to rename it.`
            : code === 'TIMEOUT'
              ? `You did not answer the offer of ${shownName(at.shown)}; send get ${at.shown} again when you are ready.`
              : code === 'REJECTED'
                ? ''
                : `${shownName(at.shown)} could not be sent (${(err as Error).message}); send get ${at.shown} to try again.`;
      log(`sending ${at.shown} to ${user} failed: ${(err as Error).message}`);
      if (answer !== '') await tell(user, [answer]);
    } finally {
      transfers.delete(transfer);
    }
  };
  const maxRunning = options.maxRunningPerUser ?? 3;
  const queues = new UserQueues(maxRunning, send);
  const deps: CommandDeps = {
    client,
    root,
    hashes: new HashCache(),
    queues,
    upload,
    limits: `at most ${formatSize(maxUpload)} each, ${formatSize(quota)} in all`,
    maxRunning,
  };
  const refuseStranger = (user: string): Promise<void> =>
    tell(user, [
      `This file server is open only to some users, and you are not one of them; ask its owner to add ${user}.`,
    ]);

  // One user's commands run one after another and are answered in the order sent: `find`
  // then `rm` must not find the file already gone, nor a quick answer overtake a slow one.
  // (A `get` only queues its transfer, so a long download holds nothing up.)
  const lastOf = new Map<string, Promise<void>>();
  const inTurn = (user: string, job: () => Promise<void>): Promise<void> => {
    const next = (lastOf.get(user) ?? Promise.resolve()).catch(() => {}).then(job);
    lastOf.set(user, next);
    void next.finally(() => {
      if (lastOf.get(user) === next) lastOf.delete(user);
    });
    return next;
  };

  const offDirect = client.onDirect((ctx) => {
    if (ctx.from === client.name || stopped) return;
    if (!allowed(ctx.from)) {
      track(refuseStranger(ctx.from));
      return;
    }
    const { from, text } = ctx;
    track(
      inTurn(from, () =>
        runCommand(deps, from, text).then(
          (lines) => tell(from, lines),
          (err: unknown) => {
            onError(err);
            return tell(from, ['Something went wrong with that; send help and try again.']);
          },
        ),
      ),
    );
  });

  // Bytes of uploads accepted and still arriving, per user: the quota counts them too.
  const arriving = new Map<string, number>();
  const onOffer = async (offer: OfferContext): Promise<void> => {
    const user = offer.from;
    const refuse = async (why: string): Promise<void> => {
      await offer.reject().catch(onError);
      await tell(user, [why]);
    };
    if (!allowed(user))
      return refuse(
        `This file server is open only to some users, and you are not one of them; ask its owner to add ${user}.`,
      );
    if (!upload) {
      return refuse(
        `This server takes no uploads, so ${shownName(offer.fileName)} was declined; ask its owner to turn uploads on.`,
      );
    }
    // A stored dot file would be hidden from its owner's ls, info and rm, yet count against
    // the quota for good.
    if (isHidden(offer.fileName)) {
      return refuse(
        `${shownName(offer.fileName)} starts with a dot, and such files are hidden here; rename it (say, ${shownName(offer.fileName.replace(/^\.+/, '') || 'file')}) and offer it again.`,
      );
    }
    if (offer.size > maxUpload) {
      return refuse(
        `${shownName(offer.fileName)} is ${formatSize(offer.size)}, over the upload limit of ${formatSize(maxUpload)}; send a smaller file.`,
      );
    }
    const folder = userFolder(user);
    const dir = join(root, ...folder.split('/'));
    const used = (await usedBytes(dir)) + (arriving.get(user) ?? 0);
    if (used + offer.size > quota) {
      return refuse(
        `${shownName(offer.fileName)} (${formatSize(offer.size)}) would take you over your quota of ${formatSize(quota)} (you keep ${formatSize(used)}); rm some of your uploads first (ls ${folder}).`,
      );
    }
    arriving.set(user, (arriving.get(user) ?? 0) + offer.size);
    try {
      ensureDirectory(dir);
      const incoming = offer.accept({ dir, maxSize: maxUpload, conflict: 'rename' });
      transfers.add(incoming);
      const result = await incoming.done.finally(() => transfers.delete(incoming));
      const shown = shownPath(root, result.path ?? dir);
      log(`stored ${shown} from ${user} (${result.bytes} bytes, sha256 ${result.sha256})`);
      await tell(user, [
        `Stored ${shownName(shown)} (${formatSize(result.bytes)}), sha256 ${result.sha256}`,
      ]);
      if (options.announce !== undefined) {
        await client
          .say(
            options.announce,
            `new file: ${shownName(shown)} (${formatSize(result.bytes)}) from ${user}`,
          )
          .catch(onError);
      }
    } catch (err) {
      log(`upload of ${offer.fileName} from ${user} failed: ${(err as Error).message}`);
      await tell(user, [
        `${shownName(offer.fileName)} was not stored (${(err as Error).message}); offer it again.`,
      ]);
    } finally {
      const left = (arriving.get(user) ?? 0) - offer.size;
      if (left > 0) arriving.set(user, left);
      else arriving.delete(user);
    }
  };
  const offOffer = client.onOffer((offer) => {
    if (stopped) return;
    track(onOffer(offer).catch(onError));
  });

  return {
    dir: root,
    stop: async () => {
      stopped = true;
      offDirect();
      offOffer();
      queues.stop();
      for (const t of transfers) t.cancel();
      await Promise.allSettled([...pending]);
    },
  };
}
