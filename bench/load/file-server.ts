import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild } from '../lib/proc.js';
import type { PeerRequest } from '../sdk-peer.js';
import { round as round3 } from '../lib/stats.js';
import { type FileRig, shareData, type Shared } from './file.js';
import { type LoadContext, mainTarget, within } from './net.js';
import { cpuMs, type Peer, peer, type SdkFileRound, sdkRig, writeSource } from './sdk-file.js';

/**
 * file-server: `get` of a `mib` MiB file from the file server bot (bots/file-server.ts, in an
 * SDK peer process of its own, as `relaykit serve-files` runs it) by a user whose client
 * `accept({ dir })`s the offer, timed from the `get` direct message to the rename. Its rounds
 * alternate with `sdk-file`'s (one SDK client `sendFile`s the same file from disk to another)
 * on the same server, so both meet the same noise: the issue asks that a `get` run at the
 * SDK's file speed, and the ratio of the two is the figure that holds on a shared machine.
 * Only the `get` rounds are the server's measured windows.
 */
export async function fileServer(
  ctx: LoadContext,
): Promise<Record<string, Record<string, unknown>>> {
  const { mib = 256, rounds = 1 } = ctx.params;
  const target = mainTarget(ctx);
  const shared = shareData(mib);
  const work = await mkdtemp(join(tmpdir(), 'relaykit-bench-file-server-'));
  const rigs: FileRig[] = [];
  try {
    await mkdir(join(work, 'shared'));
    const source = join(work, 'shared', 'source.bin');
    await writeSource(source, shared);
    const sdk = await sdkRig(ctx, target, shared, source, join(work, 'inbox-sdk'), false);
    rigs.push(sdk);
    const get = await getRig(ctx, target.name, [target.host, String(target.port)], shared, work);
    rigs.push(get);
    const gets: SdkFileRound[] = [];
    const sends: SdkFileRound[] = [];
    for (let r = 0; r < rounds; r++) {
      // Who goes first alternates, so neither always follows the other's disk writes.
      if (r % 2 === 0) {
        gets.push((await get.round(r)) as SdkFileRound);
        sends.push((await sdk.round(r)) as SdkFileRound);
      } else {
        sends.push((await sdk.round(r)) as SdkFileRound);
        gets.push((await get.round(r)) as SdkFileRound);
      }
    }
    const best = (list: SdkFileRound[]) =>
      list.reduce((a, b) => (b.mbPerSecond > a.mbPerSecond ? b : a));
    return {
      [target.name]: {
        bytes: shared.into.length,
        rounds: gets,
        ...best(gets),
        sdkRounds: sends,
        sdkMbPerSecond: best(sends).mbPerSecond,
        sha256Ok: [...gets, ...sends].every((x) => x.sha256Ok),
        finished: gets.length === rounds && sends.length === rounds,
      },
    };
  } finally {
    for (const one of rigs) one.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** The file server bot on `work/shared`, and a user who sends `get source.bin` each round. */
async function getRig(
  ctx: LoadContext,
  name: string,
  at: string[],
  shared: Shared,
  work: string,
): Promise<FileRig> {
  const bot = await peer(['files', ...at, 'files', join(work, 'shared')]);
  const user = await peer(['receiver', ...at, 'getter', join(work, 'inbox-get')]);
  const size = shared.into.length;
  const usage = async (p: Peer) => {
    const { type: _type, ...u } = await p.ask({ type: 'usage' }, 'usage');
    return u;
  };
  return {
    async round(r: number): Promise<SdkFileRound> {
      const [b0, u0] = [await usage(bot), await usage(user)];
      await ctx.mark(name, `start.${r}`);
      const start = performance.timeOrigin + performance.now();
      const received = user.ask(null, 'received');
      user.child.send({
        type: 'direct',
        to: 'files',
        text: 'get source.bin',
      } satisfies PeerRequest);
      const got = await within(received, 300_000, `get of ${shared.mib} MiB from the file server`);
      await ctx.mark(name, `end.${r}`);
      const [b1, u1] = [await usage(bot), await usage(user)];
      await user.ask({ type: 'remove', path: got.path }, 'removed');
      const seconds = (got.atMs - start) / 1000;
      const mb = size / 1e6;
      return {
        seconds: round3(seconds),
        mbPerSecond: round3(mb / seconds, 1),
        received: got.bytes,
        sha256Ok: got.sha256 === shared.expected,
        senderCpuMsPerMB: round3(cpuMs(b0, b1) / mb),
        receiverCpuMsPerMB: round3(cpuMs(u0, u1) / mb),
      };
    },
    close(): void {
      void stopChild(bot.child);
      void stopChild(user.child);
    },
  };
}
