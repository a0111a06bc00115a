import { num } from '../report.js';
import { round } from '../stats.js';
import type { Run, Scenario } from './types.js';
import type { FanoutResult, FileResult } from './results.js';
import { costNs, cpuRows, fileMB, mark, sumDeliveries, target } from './judge.js';
import { fanout } from './fanout.js';
import { file } from './file.js';

/** A TLS-versus-plaintext scenario on another's load: the target is half or better. */
function overTls(
  base: Scenario,
  what: string,
  value: (result: Record<string, unknown>) => number,
  cost: { label: string; scale: number; units(result: Record<string, unknown>): number },
): Scenario {
  return {
    name: `${base.name}-tls`,
    load: base.name,
    transport: 'tls',
    server: true,
    params: base.params,
    evaluate(run, plain) {
      const tls = value(run.result);
      const clear = plain ? value(plain.result) : Number.NaN;
      const ratio = round(tls / clear);
      const cpu = (r: Run | null) => r?.cpu.serverCpuSeconds ?? Number.NaN;
      const targets = [
        target(`${what} over TLS, of plaintext`, '≥ 0.50', num(ratio), ratio >= 0.5),
      ];
      // Server CPU per unit over every round: what a change to the server moves, whatever
      // else the machine is doing.
      const tlsCost = costNs(run, cost.units(run.result)) / cost.scale;
      const clearCost = plain ? costNs(plain, cost.units(plain.result)) / cost.scale : Number.NaN;
      return {
        summary: { tls, plaintext: clear, serverCost: { tls: tlsCost, plaintext: clearCost } },
        ratios: { tlsVsPlaintext: ratio, serverCpuTlsVsPlaintext: round(cpu(run) / cpu(plain)) },
        targets,
        rows: [
          [what, num(tls, 1), num(clear, 1), num(ratio), mark(targets[0]!)],
          [cost.label, num(tlsCost, 2), num(clearCost, 2), num(tlsCost / clearCost), ''],
          ...cpuRows(run, plain),
        ],
      };
    },
  };
}

export const fanoutTls = overTls(
  fanout,
  'deliveries/s',
  (r) => (r as unknown as FanoutResult).deliveriesPerSecond,
  {
    label: 'server CPU ns per delivery',
    scale: 1,
    units: (r) => sumDeliveries(r as unknown as FanoutResult),
  },
);

export const fileTls = overTls(file, 'MB/s', (r) => (r as unknown as FileResult).mbPerSecond, {
  label: 'server CPU ms per MB',
  scale: 1e6,
  units: (r) => fileMB(r as unknown as FileResult),
});
