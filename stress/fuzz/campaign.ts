import { connect as netConnect } from 'node:net';
import { type Client, connect } from '../../src/index.js';
import { encode } from '../../src/protocol/index.js';
import { hostileRun, mutatedFrame, poolName, validFrame } from './frames.js';
import { hijackRound } from './hijack.js';
import { Rng } from './rng.js';

/** Options of `runCampaign`. */
export interface CampaignOptions {
  host?: string;
  /**
   * The server's port, or the ports of several nodes of one cluster: connections go to them
   * in turn, and the bystanders (and the hijack round's two parties) sit on the first and
   * the last, so what they say must cross between nodes.
   */
  port: number | readonly number[];
  /** Frames to send in all (each connection sends a few to a few hundred). */
  iterations: number;
  seed: number;
  /** Frames per batch: after each batch the bystanders must still chat. */
  batchFrames?: number;
  /** Fuzzing connections open at once. */
  concurrency?: number;
  /** After each batch (RSS checks and the like); a thrown error stops the campaign. */
  afterBatch?: (progress: CampaignProgress) => Promise<void> | void;
}

/** Where a campaign has got to. */
export interface CampaignProgress {
  frames: number;
  connections: number;
  batches: number;
  /** Connections the server closed before we did (an ERR or a hang-up: the usual outcome). */
  closedByServer: number;
  counts: Record<string, number>;
}

/**
 * A structure-aware fuzzing campaign against a live server. Each connection registers (most
 * of the time) and sends a script mixing valid frames, mutated ones (bytes flipped, cut,
 * wrong kind or length, trailing garbage, noise) and valid-but-hostile runs (offers to absent
 * users, chunks and accepts for other people's transfers, join floods, taken names). Scripts
 * are written in one piece, at random cut points, or one byte per write (every boundary).
 * After each batch a bystander pair, connected throughout, must still exchange a post and a
 * direct message, and a live transfer must survive strangers sending its accepts, rejects and
 * chunks by its real id (hijack.ts); a failure there throws. Deterministic for one seed (the
 * server's answers and timing vary, the scripts' bytes do not).
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignProgress> {
  const host = options.host ?? '127.0.0.1';
  const ports = typeof options.port === 'number' ? [options.port] : options.port;
  const batchFrames = options.batchFrames ?? 20_000;
  const concurrency = options.concurrency ?? 16;
  const rng = new Rng(options.seed);
  // A stream of its own, so the scripts' bytes for a seed do not depend on the hijack rounds.
  const hijackRng = new Rng(options.seed ^ 0x9e37_79b9);
  const progress: CampaignProgress = {
    frames: 0,
    connections: 0,
    batches: 0,
    closedByServer: 0,
    counts: {},
  };
  const count = (what: string, n = 1): void => {
    progress.counts[what] = (progress.counts[what] ?? 0) + n;
  };
  const a = await connect({ name: 'bystander-a', host, port: ports[0]! });
  const b = await connect({ name: 'bystander-b', host, port: ports.at(-1)! });
  try {
    await a.join('calm');
    await b.join('calm');
    let batchEnd = Math.min(options.iterations, batchFrames);
    while (progress.frames < options.iterations) {
      // Scripts are drawn in order from the one rng, so the bytes sent depend on the seed only.
      const scripts: Buffer[][] = [];
      while (progress.frames < batchEnd) {
        const script = makeScript(rng, count);
        progress.frames += script.frames;
        scripts.push(script.writes);
      }
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < scripts.length) {
          const writes = scripts[next++]!;
          const port = ports[progress.connections % ports.length]!;
          progress.connections += 1;
          const end = await play(host, port, writes);
          if (end === 'server') progress.closedByServer += 1;
          else if (end === 'stalled') count('stalled');
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      progress.batches += 1;
      await bystandersChat(a, b, progress.batches);
      const hijack = await hijackRound(host, ports, hijackRng, `hj${progress.batches}`);
      count('hijack:rounds');
      count('hijack:strangers', hijack.intrusions);
      await options.afterBatch?.(progress);
      batchEnd = Math.min(options.iterations, batchEnd + batchFrames);
    }
    return progress;
  } finally {
    await Promise.all([a.close().catch(() => undefined), b.close().catch(() => undefined)]);
  }
}

function makeScript(
  rng: Rng,
  count: (what: string, n?: number) => void,
): { writes: Buffer[]; frames: number } {
  const self = poolName(rng);
  const parts: Buffer[] = [];
  let frames = 0;
  if (rng.chance(0.85)) {
    parts.push(Buffer.from(encode({ kind: 0x02, name: self })));
    frames += 1;
  }
  const steps = 1 + rng.int(rng.chance(0.1) ? 300 : 30);
  for (let i = 0; i < steps; i++) {
    const roll = rng.next();
    if (roll < 0.6) {
      parts.push(Buffer.from(encode(validFrame(rng, self))));
      frames += 1;
      count('valid');
    } else if (roll < 0.96) {
      const m = mutatedFrame(rng, self);
      parts.push(m.bytes);
      frames += 1;
      count(`mutated:${m.mutation}`);
      // The server closes on most broken frames: what follows is rarely read, so stop here.
      if (rng.chance(0.7)) break;
    } else {
      const run = hostileRun(rng, self);
      for (const f of run) parts.push(Buffer.from(encode(f)));
      frames += run.length;
      count('hostile', run.length);
    }
  }
  const all = Buffer.concat(parts);
  let writes: Buffer[];
  const split = rng.next();
  if (split < 0.5 || all.length === 0) {
    writes = [all];
  } else if (split < 0.9 || all.length > 2_000) {
    // Cut at random points, frame boundaries or not.
    const cuts = new Set<number>();
    const n = 1 + rng.int(8);
    for (let i = 0; i < n; i++) cuts.add(rng.int(all.length));
    const sorted = [...cuts].sort((x, y) => x - y);
    writes = [];
    let at = 0;
    for (const c of [...sorted, all.length]) {
      if (c > at) writes.push(all.subarray(at, c));
      at = c;
    }
    count('split:random');
  } else {
    // Every boundary: one byte per write.
    writes = Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1));
    count('split:bytes');
  }
  return { writes, frames };
}

/**
 * Writes `writes` (each in its own tick), then ends. Resolves how the connection ended: the
 * server closed it first, or after our end, or had not closed it 5 s after we connected
 * (counted as `stalled`: a slow machine can cause one, a server that ignores a half-close too).
 */
function play(host: string, port: number, writes: Buffer[]): Promise<'server' | 'us' | 'stalled'> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    let closedByUs = false;
    let done = false;
    const finish = (end: 'server' | 'us' | 'stalled'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(end);
    };
    // Bounded: a server that neither answers nor closes must not stall the campaign.
    const timer = setTimeout(() => finish('stalled'), 5_000);
    socket.on('data', () => {}); // read and drop whatever comes back
    socket.on('error', () => finish(closedByUs ? 'us' : 'server'));
    socket.on('close', () => finish(closedByUs ? 'us' : 'server'));
    socket.on('connect', async () => {
      for (const w of writes) {
        if (socket.destroyed) return;
        socket.write(w);
        if (writes.length > 1) await new Promise((r) => setImmediate(r));
      }
      closedByUs = true;
      socket.end();
    });
  });
}

async function bystandersChat(a: Client, b: Client, batch: number): Promise<void> {
  const text = `still here after batch ${batch}`;
  const post = b.waitFor('post', (p) => p.from === 'bystander-a' && p.text === text, {
    timeoutMs: 10_000,
  });
  // Awaited below; should the say throw first, its rejection must not go unhandled (that
  // ended the run with a stack trace instead of its verdict).
  post.catch(() => undefined);
  await a.say('calm', text);
  await post;
  const direct = a.waitFor('direct', (d) => d.from === 'bystander-b' && d.text === text, {
    timeoutMs: 10_000,
  });
  direct.catch(() => undefined);
  const { delivered } = await b.direct('bystander-a', text);
  if (!delivered) throw new Error(`batch ${batch}: bystander-a reported offline`);
  await direct;
}
