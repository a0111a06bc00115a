import type { Baseline, LoopFigures, Usage } from './ipc.js';
import { int, num, type Row } from './report.js';
import type { Latency } from './stats.js';
import { round } from './stats.js';

/** CPU spent in the measured window by the server and by the load generator. */
export interface Cpu {
  wallSeconds: number;
  serverCpuSeconds: number | null;
  serverCpuPercent: number | null;
  /** The kernel's part of the server's CPU time (system time), in percent of it. */
  serverSystemPercent: number | null;
  loadCpuSeconds: number;
  loadCpuPercent: number;
}

/** One run of the load generator against one server. */
export interface Run {
  result: Record<string, unknown>;
  cpu: Cpu;
  marks: Record<string, { atMs: number; server: Usage | null; load: Usage }>;
  /** Redis's commands and CPU over the whole run (the cluster scenarios). */
  redis?: { commands: number; cpuSeconds: number };
}

/** A target from the issue and whether this run met it. */
export interface Target {
  what: string;
  target: string;
  value: string;
  met: boolean;
}

/** What a scenario reports once its runs are in. */
export interface Evaluation {
  summary: Record<string, unknown>;
  ratios: Record<string, number>;
  targets: Target[];
  rows: Row[];
}

/** How to run and judge one scenario. */
export interface Scenario {
  name: string;
  /** The baseline server run in the same process layout, if the scenario has one. */
  baseline?: Baseline;
  /** False when no server is involved (the codec). */
  server: boolean;
  /**
   * `tls`: the relaykit server listens with TLS and the baseline is the same server in
   * plaintext, in alternating rounds of the same run.
   */
  transport?: 'tls';
  /**
   * `metrics`: the relaykit server serves Prometheus metrics (scraped every second) and the
   * baseline is the same server without them, in alternating rounds of the same run.
   */
  variant?: 'metrics' | 'cluster';
  /** The load the generator runs, when it is another scenario's (default: `name`). */
  load?: string;
  params(quick: boolean): Record<string, number>;
  evaluate(run: Run, base: Run | null): Evaluation;
}

interface FanoutResult {
  deliveriesPerSecond: number;
  rounds?: { deliveries: number }[];
  latencyMs: Latency;
  lost: number;
  duplicated: number;
  errors: number;
}
interface RoomsResult extends FanoutResult {
  offeredDeliveriesPerSecond: number;
  sendLagMs: { p99: number; max: number };
}
interface ConnectResult {
  clients: number;
  registrationsPerSecond: number;
  connectedAtEnd: number;
  closedWhileHolding: number;
  refused: number;
  failed: number;
}
interface FileResult {
  mbPerSecond: number;
  rounds?: unknown[];
  sha256Ok: boolean;
  received: number;
  bytes: number;
}
interface CodecCase {
  frame: string;
  frameBytes: number;
  decodePerSecond: number;
  decodeMBPerSecond: number;
  encodePerSecond: number;
  encodeTrustedPerSecond: number;
}

const target = (what: string, goal: string, value: string, met: boolean): Target => ({
  what,
  target: goal,
  value,
  met,
});
const mark = (t: Target): string => `${t.target} ${t.met ? 'MET' : 'MISSED'}`;

const pctOf = (p: number | null | undefined): string =>
  p === null || p === undefined ? '—' : `${num(p, 0)}%`;

function cpuRows(run: Run, base: Run | null): Row[] {
  const pct = (c: Cpu | undefined, who: 'server' | 'load'): string => {
    if (!c) return '—';
    const p = who === 'server' ? c.serverCpuPercent : c.loadCpuPercent;
    return p === null ? '—' : `${num(p, 0)}%`;
  };
  return [
    ['server CPU (of wall)', pct(run.cpu, 'server'), pct(base?.cpu, 'server'), '', ''],
    [
      'kernel share of server CPU',
      pctOf(run.cpu.serverSystemPercent),
      pctOf(base?.cpu.serverSystemPercent),
      '',
      '',
    ],
    ['load generator CPU', pct(run.cpu, 'load'), pct(base?.cpu, 'load'), '', ''],
  ];
}

/**
 * Server CPU nanoseconds per unit of work over every measured round: unlike a rate, it
 * barely moves when other processes take the CPU away, so its ratio is the steadier one.
 */
function costNs(run: Run | null, units: number): number {
  const cpu = run?.cpu.serverCpuSeconds;
  return cpu === null || cpu === undefined || units === 0 ? Number.NaN : (cpu * 1e9) / units;
}

const sumDeliveries = (r: FanoutResult | undefined): number =>
  (r?.rounds ?? []).reduce((n, x) => n + x.deliveries, 0);

const fanout: Scenario = {
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

const rooms: Scenario = {
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

const connect: Scenario = {
  name: 'connect',
  server: true,
  params: (quick) => ({
    clients: quick ? 2_000 : 10_000,
    concurrency: 256,
    holdSeconds: quick ? 4 : 15,
    heartbeatMs: 4_000,
  }),
  evaluate(run) {
    const r = run.result as unknown as ConnectResult;
    const start = run.marks.start?.server;
    const end = run.marks.held?.server;
    const perClient =
      start && end && r.connectedAtEnd > 0 ? (end.rss - start.rss) / r.connectedAtEnd : null;
    const heapPerClient =
      start && end && r.connectedAtEnd > 0
        ? (end.heapUsed + end.external - start.heapUsed - start.external) / r.connectedAtEnd
        : null;
    const targets = [
      target(
        'still connected',
        `${int(r.clients)}`,
        int(r.connectedAtEnd),
        r.connectedAtEnd === r.clients,
      ),
      target(
        'registrations/s',
        '≥ 5,000',
        int(r.registrationsPerSecond),
        r.registrationsPerSecond >= 5_000,
      ),
      target(
        'server RSS per client',
        '< 24 KB',
        perClient === null ? '—' : `${num(perClient / 1000, 1)} KB`,
        perClient !== null && perClient < 24_000,
      ),
    ];
    return {
      summary: {
        registrationsPerSecond: r.registrationsPerSecond,
        connectedAtEnd: r.connectedAtEnd,
        rssPerClientBytes: perClient === null ? null : Math.round(perClient),
        heapPerClientBytes: heapPerClient === null ? null : Math.round(heapPerClient),
      },
      ratios: {},
      targets,
      rows: [
        ['registrations/s', int(r.registrationsPerSecond), '', '', mark(targets[1]!)],
        [
          'connected at end',
          `${int(r.connectedAtEnd)} of ${int(r.clients)}`,
          '',
          '',
          mark(targets[0]!),
        ],
        [
          'refused / failed / dropped',
          `${r.refused} / ${r.failed} / ${r.closedWhileHolding}`,
          '',
          '',
          '',
        ],
        [
          'server RSS per client',
          perClient === null ? '—' : `${num(perClient / 1000, 1)} KB`,
          '',
          '',
          mark(targets[2]!),
        ],
        [
          'server heap+external per client',
          heapPerClient === null ? '—' : `${num(heapPerClient / 1000, 1)} KB`,
          '',
          '',
          '',
        ],
        ['server RSS at end', end ? `${num(end.rss / 1e6, 1)} MB` : '—', '', '', ''],
        ...cpuRows(run, null).map((r): Row => [`${r[0]} registering`, r[1], r[2], r[3], r[4]]),
      ],
    };
  },
};

const file: Scenario = {
  name: 'file',
  baseline: 'pipe',
  server: true,
  params: (quick) => ({ mib: quick ? 32 : 256, rounds: quick ? 1 : 7 }),
  evaluate(run, base) {
    const r = run.result as unknown as FileResult;
    const b = base?.result as unknown as FileResult | undefined;
    const ratio = b ? round(r.mbPerSecond / b.mbPerSecond) : Number.NaN;
    const mb = (x: FileResult | undefined): number =>
      ((x?.rounds?.length ?? 0) * (x?.bytes ?? 0)) / 1e6;
    const cost = costNs(run, mb(r)) / 1e6;
    const baseCost = costNs(base, mb(b)) / 1e6;
    const targets = [
      target('of pipe baseline', '≥ 0.60', num(ratio), ratio >= 0.6),
      target(
        'sha256 and size',
        'match',
        r.sha256Ok && r.received === r.bytes ? 'match' : 'MISMATCH',
        r.sha256Ok && r.received === r.bytes,
      ),
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

interface SdkFileResult extends FileResult {
  rounds?: { senderCpuMsPerMB: number; receiverCpuMsPerMB: number }[];
}

// The median of the rounds: the CPU per MB of one round is steady, the best one is luck.
const medianOf = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const sdkFile: Scenario = {
  name: 'sdk-file',
  baseline: 'pipe',
  server: true,
  params: (quick) => ({ mib: quick ? 32 : 256, rounds: quick ? 1 : 5 }),
  evaluate(run, base) {
    const r = run.result as unknown as SdkFileResult;
    const b = base?.result as unknown as FileResult | undefined;
    const ratio = b ? round(r.mbPerSecond / b.mbPerSecond) : Number.NaN;
    const mb = (x: FileResult | undefined): number =>
      ((x?.rounds?.length ?? 0) * (x?.bytes ?? 0)) / 1e6;
    const sender = medianOf((r.rounds ?? []).map((x) => x.senderCpuMsPerMB));
    const receiver = medianOf((r.rounds ?? []).map((x) => x.receiverCpuMsPerMB));
    const serverCost = costNs(run, mb(r)) / 1e6;
    // The pipe's two ends both live in the load generator: its CPU per MB is their sum.
    const pipeEnds = base ? (base.cpu.loadCpuSeconds * 1e3) / mb(b) : Number.NaN;
    const targets = [
      target('of pipe baseline, end to end', '≥ 0.50', num(ratio), ratio >= 0.5),
      target(
        'sha256 and size',
        'match',
        r.sha256Ok && r.received === r.bytes ? 'match' : 'MISMATCH',
        r.sha256Ok && r.received === r.bytes,
      ),
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
const fileServer: Scenario = {
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
    const mb = ((r.rounds?.length ?? 0) * r.bytes) / 1e6;
    const targets = [
      target('get vs SDK sendFile, best rounds', '≥ 0.90', num(ratio), ratio >= 0.9),
      target(
        'sha256 and size',
        'match',
        r.sha256Ok && r.received === r.bytes ? 'match' : 'MISMATCH',
        r.sha256Ok && r.received === r.bytes,
      ),
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

/** The frame the codec target is judged on: the server's everyday input. */
export const CODEC_SMALL = 'SEND_MESSAGE 20 B text';

const codec: Scenario = {
  name: 'codec',
  server: false,
  params: (quick) => ({ ms: quick ? 150 : 400 }),
  evaluate(run) {
    const cases = (run.result as { cases: CodecCase[] }).cases;
    const small = cases.find((c) => c.frame === CODEC_SMALL);
    const decode = small?.decodePerSecond ?? 0;
    const targets = [
      target(`decode ${CODEC_SMALL}`, '≥ 2,000,000/s', int(decode), decode >= 2_000_000),
    ];
    return {
      summary: { cases },
      ratios: {},
      targets,
      rows: cases.flatMap((c): Row[] => [
        [
          `${c.frame} (${c.frameBytes} B) decode/s`,
          `${int(c.decodePerSecond)} (${num(c.decodeMBPerSecond, 0)} MB/s)`,
          '',
          '',
          c.frame === CODEC_SMALL ? mark(targets[0]!) : '',
        ],
        [
          `${c.frame} encode/s (trusted)`,
          `${int(c.encodePerSecond)} (${int(c.encodeTrustedPerSecond)})`,
          '',
          '',
          '',
        ],
      ]),
    };
  },
};

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

/**
 * The server's event-loop delay and GC pauses over the measured windows: the worst window's
 * percentiles (each `end…` mark reports the window since its `start…` mark), pauses summed.
 */
function loopOver(run: Run | null): LoopFigures | null {
  if (run === null) return null;
  const windows = Object.entries(run.marks)
    .filter(([name]) => name.startsWith('end'))
    .map(([, m]) => m.server?.loop)
    .filter((l): l is LoopFigures => l !== undefined);
  if (windows.length === 0) return null;
  const worst = (k: keyof LoopFigures): number => Math.max(...windows.map((w) => w[k]));
  const sum = (k: keyof LoopFigures): number => round(windows.reduce((n, w) => n + w[k], 0));
  return {
    p50: worst('p50'),
    p99: worst('p99'),
    p999: worst('p999'),
    max: worst('max'),
    gcCount: sum('gcCount'),
    gcMs: sum('gcMs'),
    gcMaxMs: worst('gcMaxMs'),
  };
}

function loopRows(run: Run, base: Run | null): Row[] {
  const a = loopOver(run);
  const b = loopOver(base);
  const pair = (l: LoopFigures | null, f: (l: LoopFigures) => string): string => (l ? f(l) : '—');
  return [
    [
      'server event-loop delay p50 / p99 / max ms (worst window)',
      pair(a, (l) => `${num(l.p50)} / ${num(l.p99)} / ${num(l.max)}`),
      pair(b, (l) => `${num(l.p50)} / ${num(l.p99)} / ${num(l.max)}`),
      '',
      '',
    ],
    [
      'server GC pauses: count / total / longest ms',
      pair(a, (l) => `${l.gcCount} / ${num(l.gcMs)} / ${num(l.gcMaxMs)}`),
      pair(b, (l) => `${l.gcCount} / ${num(l.gcMs)} / ${num(l.gcMaxMs)}`),
      '',
      '',
    ],
  ];
}

/** Server CPU seconds between two marks, or null when the server was not sampled. */
function cpuBetween(run: Run, from: string, to: string): number | null {
  const a = run.marks[from]?.server;
  const b = run.marks[to]?.server;
  return a && b ? round((b.cpuMicros - a.cpuMicros) / 1e6) : null;
}

/** Fill-time targets of issue 18, by room size. */
const FILL_TARGET: Record<number, number> = { 2000: 3, 5000: 15 };

const bigRoom: Scenario = {
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

const churn: Scenario = {
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

/** A TLS-versus-plaintext scenario on another's load: the issue's target is half or better. */
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

const fanoutTls = overTls(
  fanout,
  'deliveries/s',
  (r) => (r as unknown as FanoutResult).deliveriesPerSecond,
  {
    label: 'server CPU ns per delivery',
    scale: 1,
    units: (r) => sumDeliveries(r as unknown as FanoutResult),
  },
);
/**
 * Fan-out with `metrics` on, against the same server without, in alternating rounds: the
 * issue's target is within 5% (a ratio of 0.95 or better) in deliveries/s.
 */
const fanoutMetrics: Scenario = {
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
        [
          'deliveries/s',
          int(r.deliveriesPerSecond),
          b ? int(b.deliveriesPerSecond) : '—',
          num(ratio),
          mark(targets[0]!),
        ],
        ['server CPU ns/delivery', num(cost, 0), num(baseCost, 0), num(cost / baseCost), ''],
        ['p99 latency ms', num(r.latencyMs.p99), b ? num(b.latencyMs.p99) : '—', '', ''],
        ...cpuRows(run, plain),
      ],
    };
  },
};

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
const clusterFanout: Scenario = {
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
        [
          'deliveries/s',
          int(r.deliveriesPerSecond),
          b ? int(b.deliveriesPerSecond) : '—',
          num(ratio),
          mark(targets[0]!),
        ],
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
const clusterRooms: Scenario = {
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

const fileTls = overTls(file, 'MB/s', (r) => (r as unknown as FileResult).mbPerSecond, {
  label: 'server CPU ms per MB',
  scale: 1e6,
  units: (r) => {
    const f = r as unknown as FileResult;
    return ((f.rounds?.length ?? 0) * f.bytes) / 1e6;
  },
});

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  codec,
  fanout,
  rooms,
  connect,
  file,
  sdkFile,
  fileServer,
  bigRoom,
  churn,
  fanoutTls,
  fileTls,
  fanoutMetrics,
  clusterFanout,
  clusterRooms,
];
