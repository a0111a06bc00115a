import type { ChildProcess } from 'node:child_process';
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target, Usage } from '../lib/ipc.js';
import { nextMessage, spawnNode, stopChild } from '../lib/proc.js';
import { round as round3 } from '../lib/stats.js';
import type { PeerReply, PeerRequest } from '../sdk-peer.js';
import { type FileRig, type FileRound, rig, type Shared, shareData } from './file.js';
import { type LoadContext, within } from './net.js';

/** One SDK round: the pipe's figures plus each end's CPU time per MB. */
export interface SdkFileRound extends FileRound {
  senderCpuMsPerMB: number;
  receiverCpuMsPerMB: number;
}

/**
 * sdk-file: `mib` MiB sent by one SDK client to another through the server, the way users
 * move files: `client.sendFile(path)` reads the file from disk and hashes it, the receiver's
 * `accept({ dir })` hashes it, writes it to a temporary file and renames it. Sender and
 * receiver run in processes of their own (bench/sdk-peer.ts) so that each one's CPU time per
 * MB is known. Rounds alternate with the `pipe` baseline's (the load generator's raw bytes
 * through a bare TCP relay, from memory to memory): the physical limit on the same machine
 * at the same moment.
 */
export async function sdkFile(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const { mib = 256, rounds = 1 } = ctx.params;
  const shared = shareData(mib);
  const work = await mkdtemp(join(tmpdir(), 'relaykit-sdk-file-'));
  const rigs = new Map<string, FileRig>();
  try {
    const source = join(work, 'source.bin');
    await writeSource(source, shared);
    for (const target of ctx.targets) {
      rigs.set(
        target.name,
        target.kind === 'pipe'
          ? await rig(ctx, target, shared)
          : await sdkRig(ctx, target, shared, source, join(work, 'inbox')),
      );
    }
    const results = new Map<string, FileRound[]>(ctx.targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, one] of rigs) results.get(name)!.push(await one.round(r));
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, list] of results) {
      const best = list.reduce((a, b) => (b.mbPerSecond > a.mbPerSecond ? b : a));
      out[name] = {
        bytes: shared.into.length,
        rounds: list,
        ...best,
        sha256Ok: list.every((x) => x.sha256Ok),
        finished: list.length === rounds,
      };
    }
    return out;
  } finally {
    for (const one of rigs.values()) one.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the shared data to `path`, the file the SDK sends from disk. */
export async function writeSource(path: string, shared: Shared): Promise<void> {
  const handle = await openFile(path, 'w');
  try {
    for (let i = 0; i < shared.mib; i++) await handle.write(shared.block);
  } finally {
    await handle.close();
  }
}

/** A peer process and the way to ask it things. */
export interface Peer {
  child: ChildProcess;
  ask<T extends PeerReply['type']>(
    request: PeerRequest | null,
    type: T,
  ): Promise<Extract<PeerReply, { type: T }>>;
}

// `--profile-load DIR` profiles the SDK peers beside the load generator.
const PROFILE_FLAGS = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));

/** Starts an SDK peer (bench/sdk-peer.ts) and waits until it is connected. */
export async function peer(args: string[]): Promise<Peer> {
  const child = spawnNode('sdk-peer.ts', args, PROFILE_FLAGS);
  const ask = async <T extends PeerReply['type']>(
    request: PeerRequest | null,
    type: T,
  ): Promise<Extract<PeerReply, { type: T }>> => {
    const reply = nextMessage<PeerReply>(child, (m) => m.type === type || m.type === 'failed');
    if (request !== null) child.send(request);
    const m = await reply;
    if (m.type === 'failed') throw new Error(`${args[0]}: ${m.message}`);
    return m as Extract<PeerReply, { type: T }>;
  };
  await within(ask(null, 'ready'), 20_000, `the SDK ${args[0]} connected`);
  return { child, ask };
}

/** CPU milliseconds between two usage samples. */
export const cpuMs = (a: Usage, b: Usage): number => (b.cpuMicros - a.cpuMicros) / 1000;

/**
 * `sendFile` from one SDK peer to another's `accept({ dir })`. With `marks` off its rounds
 * are not measured windows of the server (another rig's are, in the same run).
 */
export async function sdkRig(
  ctx: LoadContext,
  target: Target,
  shared: Shared,
  source: string,
  inbox: string,
  marks = true,
): Promise<FileRig> {
  const at = [target.host, String(target.port)];
  const receiver = await peer(['receiver', ...at, 'sdkdst', inbox]);
  const sender = await peer(['sender', ...at, 'sdksrc']);
  const size = shared.into.length;
  const usage = async (p: Peer): Promise<Usage> => {
    const { type: _type, ...u } = await p.ask({ type: 'usage' }, 'usage');
    return u;
  };
  return {
    async round(r: number): Promise<SdkFileRound> {
      const [s0, r0] = [await usage(sender), await usage(receiver)];
      if (marks) await ctx.mark(target.name, `start.${r}`);
      const start = performance.timeOrigin + performance.now();
      const received = receiver.ask(null, 'received');
      const sent = sender.ask({ type: 'send', to: 'sdkdst', path: source }, 'sent');
      const [got, gave] = await within(
        Promise.all([received, sent]),
        300_000,
        `${shared.mib} MiB sent through the SDK`,
      );
      if (marks) await ctx.mark(target.name, `end.${r}`);
      const [s1, r1] = [await usage(sender), await usage(receiver)];
      await receiver.ask({ type: 'remove', path: got.path }, 'removed');
      const seconds = (got.atMs - start) / 1000;
      const mb = size / 1e6;
      return {
        seconds: round3(seconds),
        mbPerSecond: round3(mb / seconds, 1),
        received: got.bytes,
        sha256Ok: got.sha256 === shared.expected && gave.sha256 === shared.expected,
        senderCpuMsPerMB: round3(cpuMs(s0, s1) / mb),
        receiverCpuMsPerMB: round3(cpuMs(r0, r1) / mb),
      };
    },
    close(): void {
      void stopChild(sender.child);
      void stopChild(receiver.child);
    },
  };
}
