import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../../test/e2e/helpers/build.js';
import { type Client, connect, type OfferContext } from '../../src/index.js';
import type { FlakyProxy } from './proxy.js';
import type { Tally } from './tally.js';

// Files go through the disk in pieces, never whole in memory: the load's RSS is judged for
// flatness, and whole 48 MiB buffers (three pairs' worth, in flight or not at a sample) made
// it swing by 200 MiB with the luck of the draw and hid whatever the clients themselves hold.
const PIECE = 1 << 20;

/** Writes `size` random bytes to `path`, a piece at a time; returns their sha256. */
async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let at = 0; at < size; at += PIECE) {
      const piece = randomBytes(Math.min(PIECE, size - at));
      hash.update(piece);
      await file.write(piece);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** The sha256 of the file at `path`, read as a stream. */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path, { highWaterMark: PIECE })) hash.update(piece);
  return hash.digest('hex');
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How one transfer ended, as each side saw it. */
type End = { ok: true; sha256: string } | { ok: false; why: string; code: string };

const failed = (err: Error & { code?: string }): End => ({
  ok: false,
  why: err.message,
  code: err.code ?? 'UNKNOWN',
});

/**
 * File transfers and their endings: pairs that send files of random size (some receivers
 * cancel midway, some senders sit behind the flaky proxy and lose their connection), and
 * `relaykit send` processes killed in the middle of a transfer. Each transfer must end
 * complete with matching sha256 at both ends, or failed at both ends (for a killed sender:
 * failed at the receiver, which is the only end left).
 */
export class FileTraffic {
  readonly #tally: Tally;
  readonly #dir = mkdtempSync(join(tmpdir(), 'relaykit-soak-'));
  #running = true;
  readonly #loops: Promise<void>[] = [];
  readonly #clients: Client[] = [];
  /** The `relaykit send` processes alive now. */
  readonly #senders = new Set<ChildProcess>();

  constructor(tally: Tally) {
    this.#tally = tally;
  }

  /**
   * Senders connect to the first of `ports` (or through `proxy`, which leads there) and
   * receivers to the last: with a cluster's nodes, every file crosses between them.
   */
  async start(ports: readonly number[], proxy: FlakyProxy, pairs: number): Promise<void> {
    const [port, far] = [ports[0]!, ports.at(-1)!];
    for (let i = 0; i < pairs; i++) {
      // The last pair's sender is on the flaky network.
      const viaProxy = i === pairs - 1;
      const sender = await connect({
        name: `file-out-${i}`,
        host: '127.0.0.1',
        port: viaProxy ? proxy.port : port,
        ...(viaProxy ? { reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } } : {}),
      });
      const receiver = await connect({ name: `file-in-${i}`, host: '127.0.0.1', port: far });
      this.#clients.push(sender, receiver);
      this.#loops.push(this.#pair(sender, receiver, i));
    }
    const killedReceiver = await connect({
      name: 'file-in-killed',
      host: '127.0.0.1',
      port: far,
    });
    this.#clients.push(killedReceiver);
    this.#loops.push(this.#killedSenders(port, killedReceiver));
  }

  async #pair(sender: Client, receiver: Client, i: number): Promise<void> {
    const inbox = join(this.#dir, `in-${i}`);
    let receiverEnd: Promise<End> | null = null;
    let cancelThis = false;
    receiver.onOffer((ctx: OfferContext) => {
      const t = ctx.accept({ dir: inbox, conflict: 'overwrite' });
      if (cancelThis) {
        const off = t.on('progress', ({ bytes }) => {
          if (bytes > 0) {
            off();
            t.cancel();
          }
        });
      }
      receiverEnd = t.done.then(
        async ({ path }) => {
          const got = await hashFile(path!);
          unlinkSync(path!);
          return { ok: true, sha256: got } as End;
        },
        (err: Error) => failed(err),
      );
    });
    let round = 0;
    while (this.#running) {
      round += 1;
      cancelThis = round % 10 === 0;
      // A cancelled file is large, so the cancel usually comes while the sender still sends.
      const size = cancelThis ? 48 << 20 : 1 + Math.floor(Math.random() * 8 * 1024 * 1024);
      const outgoing = join(this.#dir, `out-${i}-${round}.bin`);
      const sent = await writeRandomFile(outgoing, size);
      receiverEnd = null;
      const senderEnd: End = await sender
        .sendFile(receiver.name, outgoing, { name: `f-${round}.bin`, answerTimeoutMs: 30_000 })
        .done.then(
          (r) => ({ ok: true, sha256: r.sha256 }) as End,
          (err: Error) => failed(err),
        );
      // The receiver's end may come a moment after the sender's.
      for (let w = 0; w < 300 && receiverEnd === null; w++) await sleep(10);
      const theirs: End | null =
        receiverEnd === null ? null : await withTimeout(receiverEnd, 30_000);
      const what = `file pair ${i} round ${round} (${size} B)`;
      if (cancelThis && theirs !== null && !theirs.ok && senderEnd.ok) {
        // The receiver's REJECT crossed the last chunk: the server drops it (the transfer
        // had ended), so the sender rightly saw it complete. The receiver chose to fail.
        this.#tally.count('receiver cancels that crossed the last chunk');
      } else {
        this.#judge(what, sent, senderEnd, theirs);
        if (cancelThis) this.#tally.count('receiver cancels');
      }
      rmSync(outgoing, { force: true });
      if (!sender.connected) await sleep(500); // the flaky sender reconnects meanwhile
    }
  }

  #judge(what: string, sent: string, mine: End, theirs: End | null): void {
    if (!mine.ok && mine.code === 'UNCONFIRMED') {
      // Every byte went out and the sender's connection dropped before the server confirmed
      // it: the protocol has no receipt, and the SDK says it does not know. The receiver may
      // have it; if it does, it must be the right file.
      if (theirs?.ok === true && theirs.sha256 !== sent)
        this.#tally.violation(`${what}: sha256 mismatch`);
      else this.#tally.count(`unconfirmed sends (receiver ${theirs?.ok ? 'complete' : 'failed'})`);
    } else if (mine.ok && theirs?.ok === true) {
      if (mine.sha256 === sent && theirs.sha256 === sent) this.#tally.count('files complete');
      else this.#tally.violation(`${what}: sha256 mismatch`);
    } else if (!mine.ok && (theirs === null || !theirs.ok)) {
      // No receiver end at all means the offer never reached it (the sender was cut first).
      this.#tally.count('files failed at both ends');
    } else {
      this.#tally.violation(
        `${what}: one end failed and the other did not (sender ${mine.ok ? 'ok' : mine.why}, receiver ${
          theirs === null ? 'no offer' : theirs.ok ? 'ok' : theirs.why
        })`,
      );
    }
  }

  async #killedSenders(port: number, receiver: Client): Promise<void> {
    const file = join(this.#dir, 'big.bin');
    writeFileSync(file, randomBytes(64 * 1024 * 1024));
    let n = 0;
    while (this.#running) {
      n += 1;
      const sender = `killed-${n}`;
      let offered = false;
      let off = (): void => undefined;
      const ended = new Promise<End>((resolve) => {
        // Only this round's offer: a handler left from a round whose offer never came would
        // take the next round's offer, and answering it twice throws.
        off = receiver.onOffer({ from: sender }, (ctx) => {
          off();
          offered = true;
          // A sender killed while the server holds its socket paused (the receiver backed
          // up) is not noticed by the server until it reads again: the receiver's own idle
          // timeout ends the wait.
          const t = ctx.accept({
            dir: join(this.#dir, 'killed'),
            conflict: 'overwrite',
            idleTimeoutMs: 10_000,
          });
          const offProgress = t.on('progress', ({ bytes }) => {
            if (bytes > 0) {
              offProgress();
              child.kill('SIGKILL');
            }
          });
          t.done.then(
            () => resolve({ ok: true, sha256: '' }),
            (err: Error) => resolve(failed(err)),
          );
        });
      });
      const child = spawn(
        process.execPath,
        [BIN, 'send', receiver.name, file, '--as', sender, '--server', `127.0.0.1:${port}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      this.#senders.add(child);
      let stderr = '';
      child.stderr?.on('data', (b: Buffer) => {
        stderr = (stderr + b.toString()).slice(-500);
      });
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => {
          this.#senders.delete(child);
          resolve(code);
        }),
      );
      const end = await withTimeout(ended, 30_000);
      off();
      if (end === null && !offered) {
        // The sender's own end: `relaykit send` exits non-zero with its reason when it fails.
        child.kill('SIGKILL');
        const code = await exited;
        this.#tally.violation(
          `killed sender ${n}: its offer never reached the receiver in 30 s (send exited ${code}: ${stderr.trim() || 'nothing on stderr'})`,
        );
      } else if (end === null) {
        this.#tally.violation(`killed sender ${n}: the receiver never settled`);
      } else if (end.ok) this.#tally.count('killed senders that finished first');
      else if (end.code === 'TIMEOUT')
        this.#tally.count('killed senders timed out at the receiver');
      else this.#tally.count('killed senders reported failed at the receiver');
      child.kill('SIGKILL');
      await sleep(5_000);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    await Promise.all(this.#clients.map((c) => c.close().catch(() => undefined)));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** For an interrupted run: kills the `relaykit send`s and removes the files, at once. */
  abort(): void {
    this.#running = false;
    for (const child of this.#senders) child.kill('SIGKILL');
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
