import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as Protocol from '../../src/protocol/index.js';
import type { Frame, Side } from '../../src/protocol/index.js';
import { round } from '../lib/stats.js';
import { compiledRoot, ROOT } from '../lib/proc.js';
import { type LoadContext, mainTarget } from './net.js';

type Codec = typeof Protocol;

interface Case {
  name: string;
  side: Side;
  frame: Frame;
}

function cases(codec: Codec): Case[] {
  const { frames } = codec;
  const text100 = 'x'.repeat(100);
  return [
    { name: 'HEARTBEAT', side: 'server', frame: frames.heartbeat() },
    {
      name: 'SEND_MESSAGE 20 B text',
      side: 'server',
      frame: frames.send('lobby', 'hello there, lobby!!'),
    },
    {
      name: 'POST_MESSAGE 100 B text',
      side: 'client',
      frame: frames.post('lobby', 'alice', text100),
    },
    {
      name: 'SEND_MESSAGE 4 KiB text',
      side: 'server',
      frame: frames.send('lobby', 'y'.repeat(4096)),
    },
    {
      name: 'FILE_TRANSFER 4 KiB',
      side: 'server',
      frame: frames.chunk(7, Buffer.alloc(4096, 0xa5), false),
    },
  ];
}

// Runs `body` (`unit` operations per call) in slices of about 20 ms for about `ms` in all,
// after a warm-up, and returns the best slice's rate: another process taking the core away
// can only ever slow a slice down, so the best slice is the codec's own speed.
function rate(ms: number, unit: number, body: () => void): number {
  for (let i = 0; i < 3; i++) body();
  let best = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < 20) {
      body();
      ops += unit;
      now = performance.now();
    }
    best = Math.max(best, ops / ((now - start) / 1000));
  }
  return best;
}

/**
 * codec: relaykit's own `encode` and `FrameDecoder` on one core. Decoding feeds 64 KiB
 * slices of a long run of frames, as a socket would; encoding builds each frame from its
 * object (validating its text unless trusted).
 */
export async function codec(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const target = mainTarget(ctx);
  const { ms = 400, source = 0 } = ctx.params;
  const entry = source
    ? join(ROOT, 'src', 'protocol', 'index.ts')
    : join(compiledRoot(), 'src', 'protocol', 'index.js');
  const codec = (await import(pathToFileURL(entry).href)) as Codec;
  await ctx.mark(target.name, 'start');
  const results: Record<string, unknown>[] = [];
  for (const c of cases(codec)) {
    const one = codec.encode(c.frame);
    const count = Math.max(64, Math.floor((256 * 1024) / one.length));
    const stream = Buffer.concat(Array.from({ length: count }, () => one));
    const slices: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65_536)
      slices.push(stream.subarray(at, at + 65_536));
    let decoded = 0;
    const decodeRate = rate(ms, count, () => {
      const decoder = new codec.FrameDecoder({ side: c.side });
      for (const slice of slices) decoded += decoder.push(slice).length;
    });
    if (decoded % count !== 0) throw new Error(`${c.name}: decoded ${decoded} frames`);
    const batch = 1000;
    const encodeRate = rate(ms, batch, () => {
      for (let i = 0; i < batch; i++) codec.encode(c.frame);
    });
    const trustedRate = rate(ms, batch, () => {
      for (let i = 0; i < batch; i++) codec.encode(c.frame, { trusted: true });
    });
    results.push({
      frame: c.name,
      frameBytes: one.length,
      decodePerSecond: Math.round(decodeRate),
      decodeMBPerSecond: round((decodeRate * one.length) / 1e6, 1),
      encodePerSecond: Math.round(encodeRate),
      encodeTrustedPerSecond: Math.round(trustedRate),
    });
  }
  await ctx.mark(target.name, 'end');
  return { [target.name]: { cases: results } };
}
