import type { Usage } from '../ipc.js';
import { int, num } from '../report.js';
import { round } from '../stats.js';
import type { Run, Scenario } from './types.js';
import type { FanoutResult, RoomsResult } from './results.js';
import { costNs, cpuRows, deliveriesRow, mark, sumDeliveries, target } from './judge.js';
import { fanout } from './fanout.js';
import { rooms } from './rooms.js';

/** CPU seconds of each cluster node over the measured windows (from the marks). */
function nodeCpuSeconds(run: Run): number[] {
  const out: number[] = [];
  for (const [name, start] of Object.entries(run.marks)) {
    const end = name.startsWith('start') ? run.marks[`end${name.slice(5)}`] : undefined;
    const a = (start.server as { nodes?: Usage[] } | null)?.nodes;
    const b = (end?.server as { nodes?: Usage[] } | null | undefined)?.nodes;
    if (!a || !b) continue;
    for (const [i, u] of a.entries())
      out[i] = (out[i] ?? 0) + (b[i]!.cpuMicros - u.cpuMicros) / 1e6;
  }
  return out;
}

/**
 * cluster-fanout: the fanout load with its members alternating between two nodes of one
 * cluster on one Redis (three processes on this machine's cores), beside one node alone in
 * alternating rounds of the same run.
 */
export const clusterFanout: Scenario = {
  name: 'cluster-fanout',
  load: 'fanout',
  variant: 'cluster',
  server: true,
  params: (quick) => fanout.params(quick),
  evaluate(run, single) {
    const r = run.result as unknown as FanoutResult;
    const b = single?.result as unknown as FanoutResult | undefined;
    const ratio = b ? round(r.deliveriesPerSecond / b.deliveriesPerSecond) : Number.NaN;
    const deliveries = sumDeliveries(r);
    const posts =
      (r.rounds?.length ?? 1) * (Number((r as unknown as { posts: number }).posts) || 1);
    const perNode = nodeCpuSeconds(run).map((s) => round((s * 1e9) / deliveries));
    const redisCmdsPerPost = run.redis ? round(run.redis.commands / posts) : Number.NaN;
    const targets = [
      target('deliveries/s, of one node', '≥ 0.5', num(ratio), ratio >= 0.5),
      target('lost + duplicated', '0', int(r.lost + r.duplicated), r.lost + r.duplicated === 0),
    ];
    return {
      summary: {
        deliveriesPerSecond: r.deliveriesPerSecond,
        singleNode: b?.deliveriesPerSecond ?? null,
        latencyMs: r.latencyMs,
        cpuNsPerDeliveryByNode: perNode,
        redis: run.redis ?? null,
        redisCommandsPerPost: redisCmdsPerPost,
      },
      ratios: { clusterVsSingleNode: ratio },
      targets,
      rows: [
        deliveriesRow(r, b, ratio, mark(targets[0]!)),
        ['latency p50 ms', num(r.latencyMs.p50), b ? num(b.latencyMs.p50) : '—', '', ''],
        ['latency p99 ms', num(r.latencyMs.p99), b ? num(b.latencyMs.p99) : '—', '', ''],
        [
          'lost / duplicated',
          `${r.lost} / ${r.duplicated}`,
          b ? `${b.lost} / ${b.duplicated}` : '—',
          '',
          mark(targets[1]!),
        ],
        [
          'node CPU ns per delivery (a, b)',
          perNode.map((x) => num(x, 0)).join(', '),
          num(costNs(single, sumDeliveries(b)), 0),
          '',
          '',
        ],
        [
          'Redis commands per post (whole run)',
          num(redisCmdsPerPost),
          '—',
          '',
          `Redis CPU ${run.redis ? num(run.redis.cpuSeconds) : '—'} s`,
        ],
        ...cpuRows(run, single),
      ],
    };
  },
};

/** cluster-rooms: the rooms load with clients alternating between two nodes. */
export const clusterRooms: Scenario = {
  name: 'cluster-rooms',
  load: 'rooms',
  variant: 'cluster',
  server: true,
  params: (quick) => rooms.params(quick),
  evaluate(run, single) {
    const r = run.result as unknown as RoomsResult;
    const b = single?.result as unknown as RoomsResult | undefined;
    const targets = [
      target('cross-node p99', '< 10 ms', `${num(r.latencyMs.p99)} ms`, r.latencyMs.p99 < 10),
      target('lost', '0', int(r.lost), r.lost === 0),
    ];
    return {
      summary: { latencyMs: r.latencyMs, singleNode: b?.latencyMs ?? null, lost: r.lost },
      ratios: {},
      targets,
      rows: [
        ['latency p50 ms', num(r.latencyMs.p50), b ? num(b.latencyMs.p50) : '—', '', ''],
        [
          'latency p99 ms',
          num(r.latencyMs.p99),
          b ? num(b.latencyMs.p99) : '—',
          '',
          mark(targets[0]!),
        ],
        ['latency p999 ms', num(r.latencyMs.p999), b ? num(b.latencyMs.p999) : '—', '', ''],
        ['lost', int(r.lost), b ? int(b.lost) : '—', '', mark(targets[1]!)],
        ...cpuRows(run, single),
      ],
    };
  },
};
