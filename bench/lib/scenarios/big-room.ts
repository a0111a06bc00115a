import { int, num, type Row } from '../report.js';
import type { Latency } from '../stats.js';
import type { Target, Scenario } from './types.js';
import { target, mark, cpuBetween } from './judge.js';

interface BigRoomSize {
  size: number;
  failed?: string;
  fillSeconds: number;
  settledSeconds: number | null;
  listingBytesReceived: number;
  listingBytesDuringFill: number;
  serverListingBytes: number | null;
  postSeconds: number;
  deliveries: number;
  deliveriesPerSecond: number;
  lost: number;
  duplicated: number;
  disconnected: number;
  latencyMs: Latency;
  serverPeakRssMB: number | null;
}

/** Fill-time targets of issue 18, by room size. */
const FILL_TARGET: Record<number, number> = { 2000: 3, 5000: 15 };

export const bigRoom: Scenario = {
  name: 'big-room',
  server: true,
  params: (quick) => ({
    members: quick ? 500 : 2000,
    members2: quick ? 1000 : 5000,
    concurrency: 64,
    posts: 200,
    window: 100,
    textBytes: 100,
  }),
  evaluate(run) {
    const sizes = (run.result as { sizes: BigRoomSize[] }).sizes;
    const targets: Target[] = [];
    const rows: Row[] = [];
    for (const r of sizes) {
      const n = int(r.size);
      if (r.failed !== undefined) {
        targets.push(target(`${n} members`, 'filled', r.failed, false));
        continue;
      }
      const goal = FILL_TARGET[r.size];
      const fill =
        goal === undefined
          ? null
          : target(
              `${n} members filled`,
              `≤ ${goal} s`,
              `${num(r.fillSeconds)} s`,
              r.fillSeconds <= goal,
            );
      const intact = target(
        `${n} members: dropped / lost / duplicated`,
        '0 / 0 / 0',
        `${r.disconnected} / ${r.lost} / ${r.duplicated}`,
        r.disconnected === 0 && r.lost === 0 && r.duplicated === 0,
      );
      if (fill) targets.push(fill);
      targets.push(intact);
      const fillCpu = cpuBetween(run, `start.fill${r.size}`, `end.fill${r.size}`);
      const postCpu = cpuBetween(run, `start.posts${r.size}`, `end.posts${r.size}`);
      rows.push(
        [`${n}: time to fill`, `${num(r.fillSeconds)} s`, '', '', fill ? mark(fill) : ''],
        [
          `${n}: every member's listing current after`,
          r.settledSeconds === null ? 'NOT within 60 s' : `${num(r.settledSeconds)} s more`,
          '',
          '',
          '',
        ],
        [
          `${n}: USER_LISTING bytes received (during fill)`,
          `${num(r.listingBytesReceived / 1e6, 1)} MB (${num(r.listingBytesDuringFill / 1e6, 1)} MB)`,
          '',
          '',
          '',
        ],
        [
          `${n}: server CPU filling / posting`,
          `${fillCpu === null ? '—' : `${num(fillCpu)} s`} / ${postCpu === null ? '—' : `${num(postCpu)} s`}`,
          '',
          '',
          '',
        ],
        [
          `${n}: server peak RSS`,
          r.serverPeakRssMB === null ? '—' : `${num(r.serverPeakRssMB, 0)} MB`,
          '',
          '',
          '',
        ],
        [
          `${n}: posts: deliveries/s, p99 ms`,
          `${int(r.deliveriesPerSecond)}, ${num(r.latencyMs.p99)}`,
          '',
          '',
          '',
        ],
        [
          `${n}: dropped / lost / duplicated`,
          `${r.disconnected} / ${r.lost} / ${r.duplicated}`,
          '',
          '',
          mark(intact),
        ],
      );
    }
    return { summary: { sizes }, ratios: {}, targets, rows };
  },
};
