/**
 * Prints the latest results (bench/results/<date>-<scenario>.json) as the Markdown table
 * of the README's Performance section.
 *
 * Usage: tsx bench/summary.ts [date]   (default: the newest date with results)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/proc.js';
import type { Row } from './lib/report.js';
import type { Target } from './lib/scenarios.js';

interface Report {
  scenario: string;
  date: string;
  machine: { nproc: number; cpu: string; node: string };
  load: { before: string; after: string };
  targets: Target[];
  rows: Row[];
}

const dir = join(ROOT, 'bench', 'results');
const files = readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}-[a-z]+\.json$/.test(f));
const day =
  process.argv[2] ??
  files
    .map((f) => f.slice(0, 10))
    .sort()
    .at(-1);
const order = ['fanout', 'rooms', 'connect', 'file', 'codec'];
const reports = files
  .filter((f) => f.startsWith(`${day}-`))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report)
  .sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
if (reports.length === 0) {
  process.stderr.write(`no results for ${day} in ${dir}\n`);
  process.exit(1);
}

const cell = (s: string): string => s.replaceAll('|', '\\|');
const out: string[] = [];
const m = reports[0]!.machine;
out.push(
  `Measured ${day} on ${m.nproc} × ${m.cpu}, Node ${m.node}; load generator on the same machine.`,
);
out.push('');
out.push('| scenario | metric | relaykit | baseline | ratio | target |');
out.push('| --- | --- | --- | --- | --- | --- |');
for (const r of reports) {
  r.rows.forEach((row, i) => {
    const [metric, relaykit, baseline, ratio, target] = row.map(cell);
    out.push(
      `| ${i === 0 ? r.scenario : ''} | ${metric} | ${relaykit} | ${baseline} | ${ratio} | ${target} |`,
    );
  });
}
out.push('');
out.push('| scenario | load average (1, 5, 15 min) before → after |');
out.push('| --- | --- |');
for (const r of reports) {
  const avg = (s: string): string => s.replace('load average: ', '');
  out.push(`| ${r.scenario} | ${avg(r.load.before)} → ${avg(r.load.after)} |`);
}
out.push('');
for (const r of reports) {
  for (const t of r.targets) {
    out.push(
      `- ${t.met ? 'met' : '**missed**'}: ${r.scenario} ${t.what} ${t.value} (target ${t.target})`,
    );
  }
}
process.stdout.write(`${out.join('\n')}\n`);
