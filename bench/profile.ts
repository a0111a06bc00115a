/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, or `npm run bench -- --profile`):
 * self time per function, heaviest first, so a hot spot can be named with its evidence.
 *
 * Usage: tsx bench/profile.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './lib/proc.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A stretch of the monotonic clock, in microseconds (the profile's own clock). */
export type Window = [from: number, to: number];

/**
 * Self time per function, in ms, heaviest first, with the share of busy (non-idle) time;
 * then total time with callees. Only samples inside `windows` count when some are given,
 * so start-up and set-up stay out of the picture.
 */
export function summarise(profile: Profile, top = 25, windows: Window[] = []): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (windows.length > 0 && !windows.some(([from, to]) => at >= from && at <= to)) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const byFunction = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const where = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url;
    const key = `${functionName || '(anonymous)'}  ${where}${where ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  const format = (rows: [string, number][]): string[] =>
    rows
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`,
      );
  return [
    `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms; self time by function:`,
    ...format([...byFunction]),
    'total time (self + callees) by function:',
    ...format([...inclusive(profile, self, byId)]),
  ].join('\n');
}

// Time of each function with everything it called, counted once per stack even when the
// function recurses.
function inclusive(
  profile: Profile,
  self: Map<number, number>,
  byId: Map<number, ProfileNode>,
): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>();
  for (const [id, micros] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (functionName === '(idle)' || functionName === '(root)') continue;
      const where = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url;
      const key = `${functionName || '(anonymous)'}  ${where}${where ? `:${lineNumber + 1}` : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + micros);
    }
  }
  return totals;
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  process.stdout.write(`${summarise(profile, Number(process.argv[3] ?? 25))}\n`);
}
