import type { LoopFigures } from '../ipc.js';
import { int, num, type Row } from '../report.js';
import { round } from '../stats.js';
import type { Cpu, Run, Target } from './types.js';
import type { FanoutResult, FileResult } from './results.js';

export const target = (what: string, goal: string, value: string, met: boolean): Target => ({
  what,
  target: goal,
  value,
  met,
});
export const mark = (t: Target): string => `${t.target} ${t.met ? 'MET' : 'MISSED'}`;

export const pctOf = (p: number | null | undefined): string =>
  p === null || p === undefined ? '—' : `${num(p, 0)}%`;

export function cpuRows(run: Run, base: Run | null): Row[] {
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
export function costNs(run: Run | null, units: number): number {
  const cpu = run?.cpu.serverCpuSeconds;
  return cpu === null || cpu === undefined || units === 0 ? Number.NaN : (cpu * 1e9) / units;
}

export const sumDeliveries = (r: FanoutResult | undefined): number =>
  (r?.rounds ?? []).reduce((n, x) => n + x.deliveries, 0);

// The median of the rounds: the CPU per MB of one round is steady, the best one is luck.
export const medianOf = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * The server's event-loop delay and GC pauses over the measured windows: the worst window's
 * percentiles (each `end…` mark reports the window since its `start…` mark), pauses summed.
 */
export function loopOver(run: Run | null): LoopFigures | null {
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

export function loopRows(run: Run, base: Run | null): Row[] {
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
export function cpuBetween(run: Run, from: string, to: string): number | null {
  const a = run.marks[from]?.server;
  const b = run.marks[to]?.server;
  return a && b ? round((b.cpuMicros - a.cpuMicros) / 1e6) : null;
}

/** MB a file scenario moved over all its rounds. */
export const fileMB = (x: FileResult | undefined): number =>
  ((x?.rounds?.length ?? 0) * (x?.bytes ?? 0)) / 1e6;

/** The target every file scenario has: the file arrived whole, with the sender's sha256. */
export function sha256Target(r: FileResult): Target {
  const ok = r.sha256Ok && r.received === r.bytes;
  return target('sha256 and size', 'match', ok ? 'match' : 'MISMATCH', ok);
}

/** The deliveries/s row of a fan-out against its baseline run, with the target's mark. */
export function deliveriesRow(
  r: FanoutResult,
  b: FanoutResult | undefined,
  ratio: number,
  judged: string,
): Row {
  return [
    'deliveries/s',
    int(r.deliveriesPerSecond),
    b ? int(b.deliveriesPerSecond) : '—',
    num(ratio),
    judged,
  ];
}
