import { int, num, type Row } from '../report.js';
import { round } from '../stats.js';
import type { Scenario } from './types.js';
import type { RoomsResult } from './results.js';
import { cpuRows, loopOver, loopRows, mark, target } from './judge.js';

export const rooms: Scenario = {
  name: 'rooms',
  baseline: 'raw-rooms',
  server: true,
  params: (quick) => ({
    clients: 200,
    rooms: 20,
    rate: 10,
    seconds: quick ? 3 : 10,
    textBytes: 100,
    slices: quick ? 1 : 10,
    // CPU raw rooms spends per read before echoing (µs): see bench/run.ts.
    baselineBurnUs: 0,
  }),
  evaluate(run, base) {
    const r = run.result as unknown as RoomsResult;
    const b = base?.result as unknown as RoomsResult | undefined;
    const keepsUp = r.deliveriesPerSecond >= 0.98 * r.offeredDeliveriesPerSecond && r.lost === 0;
    const p99Ratio = b ? round(r.latencyMs.p99 / b.latencyMs.p99) : Number.NaN;
    const p999Ratio = b ? round(r.latencyMs.p999 / b.latencyMs.p999) : Number.NaN;
    const targets = [
      target(
        'keeps up (deliveries/s vs offered)',
        `${int(r.offeredDeliveriesPerSecond)}, 0 lost`,
        `${int(r.deliveriesPerSecond)}, ${r.lost} lost`,
        keepsUp,
      ),
      target('p99 latency', '< 5 ms', `${num(r.latencyMs.p99)} ms`, r.latencyMs.p99 < 5),
      target('p99 of raw rooms', '≤ 1.2', num(p99Ratio), p99Ratio <= 1.2),
      target('p999 of raw rooms', '≤ 1.5', num(p999Ratio), p999Ratio <= 1.5),
    ];
    const note: Partial<Record<'p50' | 'p99' | 'p999' | 'max', string>> = {
      p99: `${mark(targets[1]!)}; ratio ${mark(targets[2]!)}`,
      p999: `ratio ${mark(targets[3]!)}`,
    };
    const lat = (k: 'p50' | 'p99' | 'p999' | 'max'): Row => [
      `latency ${k} ms`,
      num(r.latencyMs[k]),
      num(b?.latencyMs[k]),
      b ? num(r.latencyMs[k] / b.latencyMs[k]) : '',
      note[k] ?? '',
    ];
    return {
      summary: {
        deliveriesPerSecond: r.deliveriesPerSecond,
        latencyMs: r.latencyMs,
        serverLoop: loopOver(run),
        baselineLoop: loopOver(base),
      },
      ratios: {
        deliveredVsOffered: round(r.deliveriesPerSecond / r.offeredDeliveriesPerSecond),
        p99VsRawRooms: p99Ratio,
        p999VsRawRooms: p999Ratio,
      },
      targets,
      rows: [
        [
          'deliveries/s (offered)',
          `${int(r.deliveriesPerSecond)} (${int(r.offeredDeliveriesPerSecond)})`,
          int(b?.deliveriesPerSecond),
          num(r.deliveriesPerSecond / r.offeredDeliveriesPerSecond),
          mark(targets[0]!),
        ],
        lat('p50'),
        lat('p99'),
        lat('p999'),
        lat('max'),
        [
          'lost / duplicated',
          `${r.lost} / ${r.duplicated}`,
          b ? `${b.lost} / ${b.duplicated}` : '—',
          '',
          '',
        ],
        [
          'send lag p99 / max ms',
          `${num(r.sendLagMs.p99)} / ${num(r.sendLagMs.max)}`,
          b ? `${num(b.sendLagMs.p99)} / ${num(b.sendLagMs.max)}` : '—',
          '',
          '',
        ],
        ...loopRows(run, base),
        ...cpuRows(run, base),
      ],
    };
  },
};
