import { int, num } from '../report.js';
import { round } from '../stats.js';
import type { Scenario } from './types.js';
import type { FanoutResult } from './results.js';
import { costNs, cpuRows, mark, sumDeliveries, target } from './judge.js';

export const fanout: Scenario = {
  name: 'fanout',
  baseline: 'raw-fanout',
  server: true,
  params: (quick) => ({
    members: 50,
    posts: quick ? 4_000 : 20_000,
    window: 100,
    textBytes: 100,
    rounds: quick ? 1 : 7,
  }),
  evaluate(run, base) {
    const r = run.result as unknown as FanoutResult;
    const b = base?.result as unknown as FanoutResult | undefined;
    const ratio = b ? round(r.deliveriesPerSecond / b.deliveriesPerSecond) : Number.NaN;
    const cost = costNs(run, sumDeliveries(r));
    const baseCost = costNs(base, sumDeliveries(b));
    const targets = [
      target(
        'deliveries/s',
        '≥ 250,000',
        int(r.deliveriesPerSecond),
        r.deliveriesPerSecond >= 250_000,
      ),
      target('of raw fanout', '≥ 0.70', num(ratio), ratio >= 0.7),
      target('p99 latency', '< 40 ms', `${num(r.latencyMs.p99)} ms`, r.latencyMs.p99 < 40),
      target(
        'lost + duplicated',
        '0',
        int(r.lost + r.duplicated),
        r.lost === 0 && r.duplicated === 0,
      ),
    ];
    return {
      summary: { deliveriesPerSecond: r.deliveriesPerSecond, latencyMs: r.latencyMs },
      ratios: {
        deliveriesVsRawFanout: ratio,
        serverCpuPerDeliveryVsRawFanout: round(cost / baseCost),
      },
      targets,
      rows: [
        [
          'deliveries/s',
          int(r.deliveriesPerSecond),
          int(b?.deliveriesPerSecond),
          num(ratio),
          `${mark(targets[0]!)}; ratio ${mark(targets[1]!)}`,
        ],
        ['server CPU ns per delivery', num(cost, 0), num(baseCost, 0), num(cost / baseCost), ''],
        ['latency p50 ms', num(r.latencyMs.p50), num(b?.latencyMs.p50), '', ''],
        ['latency p99 ms', num(r.latencyMs.p99), num(b?.latencyMs.p99), '', mark(targets[2]!)],
        ['latency max ms', num(r.latencyMs.max), num(b?.latencyMs.max), '', ''],
        [
          'lost / duplicated',
          `${r.lost} / ${r.duplicated}`,
          b ? `${b.lost} / ${b.duplicated}` : '—',
          '',
          mark(targets[3]!),
        ],
        ...cpuRows(run, base),
      ],
    };
  },
};
