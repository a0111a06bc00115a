import { type Frame, frames } from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { PostWindow, UnackedPost } from './post-window.js';
import type { TokenBucket } from './rate-limit.js';
import type { ClientSession } from './session.js';

/** One unit of sending: its frames go out back to back, never interleaved with another job's. */
export interface OutboxJob {
  frames: Frame[];
  /** Frames already encoded (runs of file chunks), written after `frames`. */
  raw?: Uint8Array[];
  /**
   * Runs once `raw` has left the process, or will never be written (so its memory may be
   * reused); not at all if the job fails before writing.
   */
  rawDone?: () => void;
  /** Rate-limit tokens (0 for heartbeats-like traffic such as file chunks). */
  cost: number;
  /** Runs in the same tick as the frames are written (to register awaited answers in order). */
  onWritten?: (session: ClientSession) => void;
  /** Resolve only once the bytes reached the kernel (else once accepted without backpressure). */
  flush?: boolean;
  /**
   * Only valid on this connection (file transfer frames: their ids die with it). Such a job
   * fails with DISCONNECTED instead of waiting for the next connection.
   */
  bind?: ClientSession;
  /** Checked right before writing: true settles the job without writing it (nor `onWritten`). */
  skipIf?: () => boolean;
  /**
   * The job's frames are posts to this room with these texts: they wait for space in the post
   * window, count as unacknowledged once written, and are resent after a reconnection.
   */
  posts?: { room: string; texts: readonly string[] };
}

interface Queued extends OutboxJob {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The one way frames leave a client: a FIFO of jobs, written in order to the current session,
 * waiting for `drain` instead of buffering without bound, paced by an optional token bucket,
 * and held (`'queue'`) or refused (`'reject'`) while there is no connection.
 */
export class Outbox {
  readonly #queue: Queued[] = [];
  readonly #bucket: TokenBucket | null;
  readonly #policy: 'queue' | 'reject';
  readonly #window: PostWindow | null;
  #session: ClientSession | null = null;
  /** A session being readied (rejoining rooms): jobs bound to it wait for it. */
  #next: ClientSession | null = null;
  #running = false;
  #closed: Error | null = null;
  /** The rate limit's pause in progress: close() cuts it short, so no timer outlives it. */
  #pause: { timer: ReturnType<typeof setTimeout>; resolve(): void } | null = null;

  constructor(
    bucket: TokenBucket | null,
    policy: 'queue' | 'reject',
    window: PostWindow | null = null,
  ) {
    this.#bucket = bucket;
    this.#policy = policy;
    this.#window = window;
  }

  /** The session jobs are written to (null while disconnected or rejoining). */
  get session(): ClientSession | null {
    return this.#session;
  }

  /** Jobs waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues a job; resolves once written (and flushed if asked). */
  send(job: OutboxJob): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (job.bind !== undefined) {
      const live = job.bind === this.#session || job.bind === this.#next;
      if (!live || !job.bind.open) {
        return Promise.reject(
          new ClientError(
            'DISCONNECTED',
            'The connection this belongs to has ended (a transfer id or offer dies with it)',
          ),
        );
      }
    } else if (this.#session === null && this.#policy === 'reject') {
      return Promise.reject(
        new ClientError(
          'NOT_CONNECTED',
          'Not connected to the server; wait for the reconnect event, or use whileDisconnected: "queue"',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...job, resolve, reject });
      this.#pump();
    });
  }

  /** `session` will be the next one (once it has rejoined): jobs bound to it may queue. */
  setNext(session: ClientSession): void {
    this.#next = session;
  }

  /** Starts writing to `session` (null: disconnected). */
  setSession(session: ClientSession | null): void {
    this.#session = session;
    this.#next = null;
    const lost = new ClientError(
      'DISCONNECTED',
      'The connection dropped before this was sent; send it again once connected',
    );
    if (session === null && this.#policy === 'reject') this.#failQueued(lost);
    for (const job of this.#queue.filter((j) => j.bind !== undefined && j.bind !== session)) {
      this.#queue.splice(this.#queue.indexOf(job), 1);
      job.reject(lost);
    }
    this.#pump();
  }

  /**
   * Puts posts written on a lost connection back at the head of the queue, oldest first, so
   * they go out again before anything queued after them. Nobody awaits them any more.
   */
  resend(posts: readonly UnackedPost[]): void {
    const jobs: Queued[] = posts.map(({ room, text }) => ({
      frames: [frames.send(room, text)],
      cost: 1,
      posts: { room, texts: [text] },
      resolve: () => {},
      reject: () => {},
    }));
    this.#queue.unshift(...jobs);
    this.#pump();
  }

  /** Refuses everything from now on, and fails what is queued with `err`. */
  close(err: Error): void {
    this.#closed = err;
    this.#failQueued(err);
    if (this.#pause !== null) {
      clearTimeout(this.#pause.timer);
      this.#pause.resolve();
      this.#pause = null;
    }
  }

  #failQueued(err: Error): void {
    for (const job of this.#queue.splice(0)) job.reject(err);
  }

  #pump(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    // The finally runs in the same tick the loop ends, so a job queued right after is pumped.
    try {
      while (this.#queue.length > 0) {
        const session = this.#session;
        if (session === null || !session.open) return; // setSession() pumps again
        const job = this.#queue[0]!;
        const posts = job.posts;
        if (posts !== undefined && this.#window !== null) {
          if (!this.#window.fits(posts.room, posts.texts.length)) {
            // Reading goes on meanwhile: each echo read makes room (release() wakes us too).
            await this.#window.space(posts.room, posts.texts.length);
            if (this.#closed) return;
            continue;
          }
        }
        if (this.#bucket !== null && job.cost > 0) {
          const wait = this.#bucket.delayFor(job.cost);
          if (wait > 0) {
            await new Promise<void>((resolve) => {
              this.#pause = { timer: setTimeout(resolve, wait), resolve };
            });
            this.#pause = null;
            if (this.#closed) return;
            continue; // the session may have changed meanwhile
          }
          this.#bucket.takeNow(job.cost);
        }
        this.#queue.shift();
        if (job.skipIf?.() === true) {
          job.resolve();
          continue;
        }
        let ok = true;
        for (const frame of job.frames) ok = session.write(frame) && ok;
        if (job.raw !== undefined) {
          const last = job.raw.length - 1;
          for (let i = 0; i <= last; i++) {
            ok = session.writeRaw(job.raw[i]!, i === last ? job.rawDone : undefined) && ok;
          }
        }
        if (posts !== undefined) this.#window?.sent(posts.room, posts.texts);
        job.onWritten?.(session);
        // A written post is the window's from here on: lost with the connection, it is resent.
        const resent = posts !== undefined && this.#window !== null && this.#policy === 'queue';
        if (job.flush === true) {
          void session.flushed().then((flushed) => settle(job, flushed || resent));
        }
        if (!ok) await session.drained();
        if (job.flush !== true) settle(job, session.open || resent);
      }
    } finally {
      this.#running = false;
    }
  }
}

function settle(job: Queued, sent: boolean): void {
  if (sent) job.resolve();
  else {
    job.reject(
      new ClientError(
        'DISCONNECTED',
        'The connection dropped while sending; it may not have arrived, send it again once connected',
      ),
    );
  }
}
