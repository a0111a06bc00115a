import { int, num } from '../report.js';
import type { Latency } from '../stats.js';
import type { Scenario } from './types.js';
import { cpuRows, mark, target } from './judge.js';

interface ChurnResult {
  fillSeconds: number;
  churnEvents: number;
  posts: number;
  deliveries: number;
  stableLost: number;
  duplicated: number;
  disconnected: number;
  latencyMs: Latency;
  reentryMs: Latency;
  reentriesConfirmed: number;
  listingBytesDuringChurn: number;
  scheduleLagMaxMs: number;
  serverPeakRssMB: number | null;
  lastListingsCurrent: boolean;
}

export const churn: Scenario = {
  name: 'churn',
  server: true,
  params: (quick) => ({
    members: quick ? 1000 : 5000,
    concurrency: 64,
    seconds: quick ? 5 : 20,
    rate: 50,
    postRate: 20,
    textBytes: 100,
  }),
  evaluate(run) {
    const r = run.result as unknown as ChurnResult;
    const loop = run.marks['end.churn']?.server?.loop;
    const targets = [
      target(
        'post latency p99 under churn',
        '< 50 ms',
        `${num(r.latencyMs.p99)} ms`,
        r.latencyMs.p99 < 50,
      ),
      target(
        'dropped / lost / duplicated',
        '0 / 0 / 0',
        `${r.disconnected} / ${r.stableLost} / ${r.duplicated}`,
        r.disconnected === 0 && r.stableLost === 0 && r.duplicated === 0,
      ),
    ];
    return {
      summary: { latencyMs: r.latencyMs, reentryMs: r.reentryMs },
      ratios: {},
      targets,
      rows: [
        ['time to fill', `${num(r.fillSeconds)} s`, '', '', ''],
        ['churn events (leave + rejoin 1 s later)', int(r.churnEvents), '', '', ''],
        [
          'post latency p50 / p99 / p999 / max ms',
          `${num(r.latencyMs.p50)} / ${num(r.latencyMs.p99)} / ${num(r.latencyMs.p999)} / ${num(r.latencyMs.max)}`,
          '',
          '',
          mark(targets[0]!),
        ],
        [
          're-entry confirmed p50 / p99 ms',
          `${num(r.reentryMs.p50)} / ${num(r.reentryMs.p99)} (${int(r.reentriesConfirmed)})`,
          '',
          '',
          '',
        ],
        [
          'dropped / lost (stable members) / duplicated',
          `${r.disconnected} / ${r.stableLost} / ${r.duplicated}`,
          '',
          '',
          mark(targets[1]!),
        ],
        [
          'USER_LISTING bytes during churn',
          `${num(r.listingBytesDuringChurn / 1e6, 1)} MB`,
          '',
          '',
          '',
        ],
        [
          "every member's last listing current at the end",
          r.lastListingsCurrent ? 'yes' : 'NO',
          '',
          '',
          '',
        ],
        [
          'server event-loop delay p99 / max ms',
          loop ? `${num(loop.p99)} / ${num(loop.max)}` : '—',
          '',
          '',
          '',
        ],
        [
          'server peak RSS',
          r.serverPeakRssMB === null ? '—' : `${num(r.serverPeakRssMB, 0)} MB`,
          '',
          '',
          '',
        ],
        ['load schedule lag max ms', num(r.scheduleLagMaxMs), '', '', ''],
        ...cpuRows(run, null),
      ],
    };
  },
};
