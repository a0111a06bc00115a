/**
 * `npm run bench:search`: how long `relaykit archive web` takes to search a large archive.
 * Writes 1,000,000 archived lines (10 rooms × 10 days × 10,000, in the writer's format) to a
 * temporary tree, then alternates rounds of:
 *   - read:   reading every .jsonl byte (the floor any streaming search stands on)
 *   - search: searchArchive for a word in 20 lines, so every file is scanned to the end
 *   - http:   the same search through the viewer (GET /search?q=…, whole page)
 * and prints the median of each with the machine's load. Not part of `npm test`.
 *
 *   npm run bench:search -- [--lines 1000000] [--rounds 5] [--keep DIR]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchArchive } from '../src/archive/search.js';
import { ArchiveTree } from '../src/archive/tree.js';
import { startArchiveViewer } from '../src/archive/web/index.js';
import { scriptArgs, wholeNumber } from '../stress/cli-args.js';
import { load, machine } from './lib/report.js';

const USAGE = `npm run bench:search -- [--lines N] [--rounds R] [--keep DIR]
  --lines N   archived lines to write and search (default 1000000)
  --rounds R  alternated rounds of read, search and http (default 5)
  --keep DIR  write the archive to DIR and keep it (default: a temporary directory)`;
const values = scriptArgs(
  {
    lines: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    keep: { type: 'string' },
  },
  USAGE,
);
const total = wholeNumber('lines', values.lines, 1, USAGE);
const rounds = wholeNumber('rounds', values.rounds, 1, USAGE);
const ROOMS = 10;
const DAYS = 10;
const NEEDLE = 'zanzibar';
const NEEDLES = 20;

const WORDS =
  'deploy build green red rollback pager standup coffee review merge ticket graph latency disk queue retry'.split(
    ' ',
  );
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

/** Writes the archive; yields after each file, so that a signal is heard within one file. */
async function makeTree(dir: string): Promise<number> {
  const perFile = Math.ceil(total / (ROOMS * DAYS));
  let bytes = 0;
  let written = 0;
  let seed = 1;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const every = Math.floor(total / NEEDLES);
  for (let r = 0; r < ROOMS; r++) {
    const roomDir = join(dir, '127.0.0.1_17734', `room${r}`);
    mkdirSync(roomDir, { recursive: true });
    for (let d = 0; d < DAYS; d++) {
      const day = `2026-11-${String(10 + d).padStart(2, '0')}`;
      const out: string[] = [];
      for (let seq = 1; seq <= perFile && written < total; seq++, written++) {
        const words = Array.from({ length: 6 + rand(10) }, () => WORDS[rand(WORDS.length)]);
        if (written % every === every - 1) words.splice(3, 0, NEEDLE);
        const ts = `${day}T${String(Math.floor(seq / 420)).padStart(2, '0')}:00:00.000Z`;
        out.push(
          JSON.stringify({
            v: 1,
            ts,
            seq,
            room: `room${r}`,
            type: 'post',
            from: NAMES[rand(NAMES.length)],
            text: words.join(' '),
          }),
        );
      }
      const body = `${out.join('\n')}\n`;
      bytes += Buffer.byteLength(body);
      writeFileSync(join(roomDir, `${day}.jsonl`), body);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return bytes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'relaykit-search-bench-'));
// Ctrl-C must not leave 150 MiB of archive behind in the temporary directory.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
try {
  const t0 = performance.now();
  const bytes = await makeTree(dir);
  process.stderr.write(
    `wrote ${total.toLocaleString('en-US')} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${Math.round(performance.now() - t0)} ms\n`,
  );
  const tree = new ArchiveTree(dir);
  const viewer = await startArchiveViewer({ dir, port: 0 });
  const times = { read: [] as number[], search: [] as number[], http: [] as number[] };
  try {
    for (let round = 0; round < rounds; round++) {
      let t = performance.now();
      for (const server of readdirSync(dir)) {
        for (const room of readdirSync(join(dir, server))) {
          for (const file of readdirSync(join(dir, server, room)))
            readFileSync(join(dir, server, room, file));
        }
      }
      times.read.push(performance.now() - t);

      t = performance.now();
      let hits = 0;
      for await (const _ of searchArchive(tree, { q: NEEDLE.toUpperCase() })) hits += 1;
      times.search.push(performance.now() - t);
      if (hits !== NEEDLES) throw new Error(`expected ${NEEDLES} hits, got ${hits}`);

      t = performance.now();
      const page = await (await fetch(`${viewer.url}search?q=${NEEDLE}`)).text();
      times.http.push(performance.now() - t);
      if ((page.match(/<article class="hit">/g) ?? []).length !== NEEDLES)
        throw new Error('the page lacks hits');
    }
  } finally {
    await viewer.close();
  }
  const m = { read: median(times.read), search: median(times.search), http: median(times.http) };
  const report = {
    lines: total,
    mib: Math.round(bytes / 2 ** 20),
    rounds,
    medianMs: { read: Math.round(m.read), search: Math.round(m.search), http: Math.round(m.http) },
    searchOverRead: Number((m.search / m.read).toFixed(2)),
    linesPerSecond: Math.round(total / (m.search / 1000)),
    load: load(),
    machine: machine(),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
