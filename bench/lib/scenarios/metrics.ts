import { num } from '../report.js';
import { round } from '../stats.js';
import type { Scenario } from './types.js';
import type { FanoutResult } from './results.js';
import { costNs, cpuRows, deliveriesRow, mark, sumDeliveries, target } from './judge.js';
import { fanout } from './fanout.js';

/**
 * Fan-out with `metrics` on, against the same server without, in alternating rounds: the
 * issue's target is within 5% (a ratio of 0.95 or better) in deliveries/s.
 */
export const fanoutMetrics: Scenario = {
  name: 'fanout-metrics',
  load: 'fanout',
  variant: 'metrics',
  server: true,
  // Three times fanout's rounds: a 5% difference is within one short run's noise here.
  params: (quick) => ({ ...fanout.params(quick), rounds: quick ? 1 : 21 }),
  evaluate(run, plain) {
    const r = run.result as unknown as FanoutResult;
    const b = plain?.result as unknown as FanoutResult | undefined;
    const ratio = b ? round(r.deliveriesPerSecond / b.deliveriesPerSecond) : Number.NaN;
    const cost = costNs(run, sumDeliveries(r));
    const baseCost = costNs(plain, sumDeliveries(b));
    const targets = [
      target('deliveries/s with metrics, of without', '≥ 0.95', num(ratio), ratio >= 0.95),
    ];
    return {
      summary: {
        withMetrics: r.deliveriesPerSecond,
        without: b?.deliveriesPerSecond ?? null,
        latencyMs: { withMetrics: r.latencyMs, without: b?.latencyMs ?? null },
      },
      ratios: {
        metricsVsWithout: ratio,
        serverCpuPerDeliveryMetricsVsWithout: round(cost / baseCost),
      },
      targets,
      rows: [
        deliveriesRow(r, b, ratio, mark(targets[0]!)),
        ['server CPU ns/delivery', num(cost, 0), num(baseCost, 0), num(cost / baseCost), ''],
        ['p99 latency ms', num(r.latencyMs.p99), b ? num(b.latencyMs.p99) : '—', '', ''],
        ...cpuRows(run, plain),
      ],
    };
  },
};
