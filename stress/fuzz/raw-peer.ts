import { connect as netConnect, type Socket } from 'node:net';
import {
  type ClientFrame,
  encode,
  FrameDecoder,
  frames,
  Kind,
  type ServerFrame,
} from '../../src/protocol/index.js';

/**
 * A bare client for the fuzzing campaign's scripted rounds: frames in and out through the
 * codec, no SDK, so that it can send what the SDK never would (a stranger's transfer id).
 * Every wait is bounded, so a server that stops answering fails the round instead of
 * stalling the campaign.
 */
export class RawPeer {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder({ side: 'client' });
  readonly #inbox: ServerFrame[] = [];
  #wake: (() => void) | null = null;
  #closed = false;
  readonly closed: Promise<void>;
  readonly name: string;

  private constructor(socket: Socket, name: string) {
    this.#socket = socket;
    this.name = name;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.#decoder.push(chunk)) {
        if (f.kind !== Kind.HEARTBEAT) this.#inbox.push(f);
      }
      this.#wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closed = true;
        this.#wake?.();
        resolve();
      }),
    );
  }

  /** Connects and registers as `name`, confirmed by a QUERY_USER round trip. */
  static async registered(host: string, port: number, name: string): Promise<RawPeer> {
    const socket = netConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new RawPeer(socket, name);
    peer.send(frames.newClient(name));
    peer.send(frames.queryUser(name));
    const answer = await peer.next((f) => f.kind === Kind.QUERY_USER && f.name === name);
    if (answer.kind !== Kind.QUERY_USER || answer.status !== 1) {
      peer.destroy();
      throw new Error(`${name} could not register`);
    }
    return peer;
  }

  send(frame: ClientFrame): void {
    if (!this.#closed) this.#socket.write(encode(frame));
  }

  /** Takes the first frame that matches, waiting up to `timeoutMs` for it. */
  async next(match: (f: ServerFrame) => boolean, timeoutMs = 10_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#inbox.findIndex(match);
      if (at >= 0) return this.#inbox.splice(at, 1)[0]!;
      if (this.#closed) throw new Error(`${this.name}: closed before the frame came`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no matching frame in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  /** Frames received and not taken yet. */
  get inbox(): readonly ServerFrame[] {
    return this.#inbox;
  }

  /** Waits for the server to close the connection; returns the ERR code it sent, if any. */
  async closedWith(timeoutMs = 10_000): Promise<number | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closed = await Promise.race([
      this.closed.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!closed) throw new Error(`${this.name}: still open ${timeoutMs} ms after its offence`);
    const err = this.#inbox.find((f) => f.kind === Kind.ERR);
    return err?.kind === Kind.ERR ? err.code : undefined;
  }

  /** Says goodbye (CLIENT_DEPARTS) and waits for the server to close: it has let go of the name. */
  async depart(): Promise<void> {
    this.send(frames.clientDeparts(''));
    await this.closedWith();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
