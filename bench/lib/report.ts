import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';

/** Where the figures came from: they mean little without it. */
export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  kernel: string;
}

/** Reads nproc, the CPU model and the versions. */
export function machine(): Machine {
  let cpu = 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return { nproc: availableParallelism(), cpu, node: process.version, kernel: release() };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function load(): string {
  try {
    const out = execFileSync('uptime', { encoding: 'utf8' });
    return out.slice(out.indexOf('load average')).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

/** One row of a scenario's table. */
export type Row = [
  metric: string,
  relaykit: string,
  baseline: string,
  ratio: string,
  target: string,
];

/** Formats rows as a fixed-width table with a header. */
export function table(title: string, rows: Row[]): string {
  const head: Row = ['metric', 'relaykit', 'baseline', 'ratio', 'target'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `\n== ${title}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

/** Formats an integer with thousands separators. */
export function int(n: unknown): string {
  return typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : '—';
}

/** Formats a number with `places` decimals. */
export function num(n: unknown, places = 2): string {
  return typeof n === 'number' ? n.toFixed(places) : '—';
}
