import { num } from '../report.js';
import { round } from '../stats.js';
import type { Scenario } from './types.js';
import type { FileResult } from './results.js';
import { costNs, fileMB, mark, medianOf, sha256Target, target } from './judge.js';

export interface SdkFileResult extends FileResult {
  rounds?: { senderCpuMsPerMB: number; receiverCpuMsPerMB: number }[];
}

export const sdkFile: Scenario = {
  name: 'sdk-file',
  baseline: 'pipe',
  server: true,
  params: (quick) => ({ mib: quick ? 32 : 256, rounds: quick ? 1 : 5 }),
  evaluate(run, base) {
    const r = run.result as unknown as SdkFileResult;
    const b = base?.result as unknown as FileResult | undefined;
    const ratio = b ? round(r.mbPerSecond / b.mbPerSecond) : Number.NaN;
    const sender = medianOf((r.rounds ?? []).map((x) => x.senderCpuMsPerMB));
    const receiver = medianOf((r.rounds ?? []).map((x) => x.receiverCpuMsPerMB));
    const serverCost = costNs(run, fileMB(r)) / 1e6;
    // The pipe's two ends both live in the load generator: its CPU per MB is their sum.
    const pipeEnds = base ? (base.cpu.loadCpuSeconds * 1e3) / fileMB(b) : Number.NaN;
    const targets = [
      target('of pipe baseline, end to end', '≥ 0.50', num(ratio), ratio >= 0.5),
      sha256Target(r),
    ];
    return {
      summary: {
        mbPerSecond: r.mbPerSecond,
        sha256Ok: r.sha256Ok,
        senderCpuMsPerMB: sender,
        receiverCpuMsPerMB: receiver,
      },
      ratios: { throughputVsPipe: ratio },
      targets,
      rows: [
        ['MB/s', num(r.mbPerSecond, 1), num(b?.mbPerSecond, 1), num(ratio), mark(targets[0]!)],
        ['sender CPU ms per MB', num(sender, 2), '', '', 'disk read, sha256, framing'],
        ['receiver CPU ms per MB', num(receiver, 2), '', '', 'sha256, disk write, rename'],
        ['both ends CPU ms per MB', num(sender + receiver, 2), num(pipeEnds, 2), '', ''],
        ['server CPU ms per MB', num(serverCost, 2), '', '', ''],
        ['sha256', r.sha256Ok ? 'ok' : 'MISMATCH', '', '', mark(targets[1]!)],
      ],
    };
  },
};

interface FileServerResult extends SdkFileResult {
  sdkMbPerSecond: number;
  sdkRounds?: { mbPerSecond: number }[];
}

// The file server's `get` against the SDK's own sendFile, alternating on one server (see
// bench/load/file-server.ts): the issue asks that a get run at the SDK's file speed.
export const fileServer: Scenario = {
  name: 'file-server',
  server: true,
  params: (quick) => ({ mib: quick ? 32 : 256, rounds: quick ? 1 : 5 }),
  evaluate(run) {
    const r = run.result as unknown as FileServerResult;
    const gets = (r.rounds ?? []) as unknown as { seconds: number; mbPerSecond: number }[];
    const sends = r.sdkRounds ?? [];
    const ratio = round(r.mbPerSecond / r.sdkMbPerSecond);
    const medianGet = medianOf(gets.map((x) => x.mbPerSecond));
    const medianSend = medianOf(sends.map((x) => x.mbPerSecond));
    const medianRatio = round(medianGet / medianSend);
    const bot = medianOf((r.rounds ?? []).map((x) => x.senderCpuMsPerMB));
    const user = medianOf((r.rounds ?? []).map((x) => x.receiverCpuMsPerMB));
    const mb = fileMB(r);
    const targets = [
      target('get vs SDK sendFile, best rounds', '≥ 0.90', num(ratio), ratio >= 0.9),
      sha256Target(r),
    ];
    return {
      summary: {
        mbPerSecond: r.mbPerSecond,
        seconds: gets.find((x) => x.mbPerSecond === r.mbPerSecond)?.seconds,
        sdkMbPerSecond: r.sdkMbPerSecond,
        medianMbPerSecond: medianGet,
        sdkMedianMbPerSecond: medianSend,
        sha256Ok: r.sha256Ok,
      },
      ratios: { getVsSdk: ratio, getVsSdkMedian: medianRatio },
      targets,
      rows: [
        [
          'MB/s, best round',
          num(r.mbPerSecond, 1),
          num(r.sdkMbPerSecond, 1),
          num(ratio),
          mark(targets[0]!),
        ],
        ['MB/s, median round', num(medianGet, 1), num(medianSend, 1), num(medianRatio), ''],
        [
          'seconds per get, each round',
          gets.map((x) => num(x.seconds, 2)).join(' '),
          sends.map((x) => num(r.bytes / 1e6 / x.mbPerSecond, 2)).join(' '),
          '',
          'from the get message to the rename',
        ],
        [
          'file server bot CPU ms per MB',
          num(bot, 2),
          '',
          '',
          'resolve, disk read, sha256, framing',
        ],
        ['user CPU ms per MB', num(user, 2), '', '', 'sha256, disk write, rename'],
        ['server CPU ms per MB', num(costNs(run, mb) / 1e6, 2), '', '', 'get rounds only'],
        ['sha256', r.sha256Ok ? 'ok' : 'MISMATCH', '', '', mark(targets[1]!)],
      ],
    };
  },
};
