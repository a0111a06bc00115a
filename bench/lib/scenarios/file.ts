import { num } from '../report.js';
import { round } from '../stats.js';
import type { Scenario } from './types.js';
import type { FileResult } from './results.js';
import { costNs, cpuRows, fileMB, mark, sha256Target, target } from './judge.js';

export const file: Scenario = {
  name: 'file',
  baseline: 'pipe',
  server: true,
  params: (quick) => ({ mib: quick ? 32 : 256, rounds: quick ? 1 : 7 }),
  evaluate(run, base) {
    const r = run.result as unknown as FileResult;
    const b = base?.result as unknown as FileResult | undefined;
    const ratio = b ? round(r.mbPerSecond / b.mbPerSecond) : Number.NaN;
    const cost = costNs(run, fileMB(r)) / 1e6;
    const baseCost = costNs(base, fileMB(b)) / 1e6;
    const targets = [
      target('of pipe baseline', '≥ 0.60', num(ratio), ratio >= 0.6),
      sha256Target(r),
    ];
    return {
      summary: { mbPerSecond: r.mbPerSecond, sha256Ok: r.sha256Ok },
      ratios: { throughputVsPipe: ratio, serverCpuPerMBVsPipe: round(cost / baseCost) },
      targets,
      rows: [
        ['MB/s', num(r.mbPerSecond, 1), num(b?.mbPerSecond, 1), num(ratio), mark(targets[0]!)],
        ['server CPU ms per MB', num(cost, 2), num(baseCost, 2), num(cost / baseCost), ''],
        [
          'sha256',
          r.sha256Ok ? 'ok' : 'MISMATCH',
          b ? (b.sha256Ok ? 'ok' : 'MISMATCH') : '—',
          '',
          mark(targets[1]!),
        ],
        ...cpuRows(run, base),
      ],
    };
  },
};
