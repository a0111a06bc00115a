/**
 * `npm run bench`: relaykit measured the way a user choosing a chat relay would, each figure
 * beside a baseline measured in the same run (the machines are shared and noisy: a ratio
 * holds where an absolute time does not). Each scenario gets a fresh server process and a
 * load generator process; results go to bench/results/<date>-<scenario>.json.
 *
 *   npm run bench                         every scenario
 *   npm run bench -- --scenario fanout    one (repeatable, or comma-separated)
 *   npm run bench -- --host H --port P    point the protocol load at another server
 *   npm run bench -- --quick              smaller sizes, to try the harness
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, get } from 'node:http';
import { join, relative } from 'node:path';
import type { LoadReply, LoadRequest, LoadTask, Target, Usage } from './lib/ipc.js';
import {
  BUILD_DIR,
  compiledRoot,
  nextMessage,
  ROOT,
  type ServerHandle,
  spawnNode,
  startServer,
  stopChild,
} from './lib/proc.js';
import { type ClusterRig, startClusterRig } from './lib/cluster.js';
import { load, machine, table } from './lib/report.js';
import { summarise, type Window } from './profile.js';
import { type Cpu, type Run, SCENARIOS, type Scenario } from './lib/scenarios.js';
import { round } from './lib/stats.js';
import { scriptArgs } from '../stress/cli-args.js';

const USAGE =
  'npm run bench -- [--scenario codec|fanout|rooms|connect|file|sdk-file|file-server|big-room|cluster-fanout|cluster-rooms|\n' +
  '  churn|fanout-tls|file-tls|fanout-metrics]...\n' +
  '  [--host H --port P]\n' +
  '  [--source] [--no-build] [--no-save] [--quick] [--label NAME] [--profile DIR]\n' +
  '  --profile DIR  run the server under --cpu-prof, write its profile to DIR, print a summary\n' +
  '                 (fanout-tls, file-tls: both servers, the plaintext one first)\n' +
  '  --server-module PATH  take createServer from PATH (another build, for before/after)\n' +
  "  --profile-load DIR  run the load generator (and sdk-file's SDK peers) under --cpu-prof\n" +
  "  --param NAME=NUMBER  override one of the scenario's parameters (repeatable), e.g.\n" +
  '                 --param members=2000 for big-room (the results file records the parameters)\n';
const values = scriptArgs(
  {
    scenario: { type: 'string', multiple: true, short: 's' },
    host: { type: 'string' },
    port: { type: 'string' },
    source: { type: 'boolean', default: false },
    build: { type: 'boolean', default: true },
    save: { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    label: { type: 'string' },
    profile: { type: 'string' },
    'server-module': { type: 'string' },
    'profile-load': { type: 'string' },
    param: { type: 'string', multiple: true },
  },
  USAGE,
  { allowNegative: true },
);

const names = (values.scenario ?? []).flatMap((s) => s.split(','));
const overrides = parseOverrides(values.param ?? []);
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
// A mistyped --param would be ignored in silence and the run measure the defaults.
const known = new Set(chosen.flatMap((s) => Object.keys(s.params(values.quick))));
const stray = Object.keys(overrides).filter((k) => !known.has(k));
if (stray.length > 0) {
  process.stderr.write(
    `--param ${stray.join(', ')}: no such parameter of ${chosen.map((s) => s.name).join(', ')}; they have:\n` +
      chosen
        .map((s) => `  ${s.name}: ${Object.keys(s.params(values.quick)).join(', ')}\n`)
        .join(''),
  );
  process.exit(2);
}
const external = values.host !== undefined || values.port !== undefined;
if (external && (values.host === undefined || values.port === undefined)) {
  process.stderr.write('--host and --port go together: give both to point the load at a server\n');
  process.exit(2);
}

// Compiles src/ as `npm run build` does, but into the bench's own directory.
function build(): void {
  if (!values.build || values.source) return;
  process.stderr.write(`compiling src/ into ${relative(ROOT, BUILD_DIR)} ...\n`);
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const args = ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--declaration', 'false'];
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    // tsc emits despite type errors elsewhere in the tree; the bench needs only the output.
    process.stderr.write('tsc reported errors; going on with what it emitted\n');
  }
  // Under node_modules no package.json of the project applies: say the output is ESM.
  writeFileSync(join(BUILD_DIR, 'package.json'), '{ "type": "module" }\n');
  process.env.RELAYKIT_BENCH_BUILD = BUILD_DIR;
}

/**
 * Runs the load generator once, on every target of `task`, sampling the target's server at
 * each of its marks; returns one `Run` per target.
 */
async function drive(
  task: LoadTask,
  servers: Map<string, ServerHandle>,
): Promise<Record<string, Run>> {
  const profileLoad = values['profile-load'];
  const child = spawnNode(
    'load-process.ts',
    [],
    profileLoad ? ['--cpu-prof', `--cpu-prof-dir=${profileLoad}`] : [],
  );
  try {
    child.on('message', (m: LoadReply) => {
      if (m.type !== 'mark') return;
      const reply = (s: Usage | null): void => {
        child.send({
          type: 'marked',
          target: m.target,
          name: m.name,
          server: s,
        } satisfies LoadRequest);
      };
      const server = servers.get(m.target);
      if (server) server.usage(m.gc).then(reply, () => reply(null));
      else reply(null);
    });
    const done = nextMessage<LoadReply>(child, (m) => m.type === 'result' || m.type === 'failed');
    child.send({ type: 'task', task } satisfies LoadRequest);
    const reply = await done;
    if (reply.type === 'failed') throw new Error(`${task.scenario}: ${reply.message}`);
    if (reply.type !== 'result') throw new Error('unexpected reply');
    const runs: Record<string, Run> = {};
    for (const [name, result] of Object.entries(reply.result.runs)) {
      const marks = reply.result.marks[name] ?? {};
      runs[name] = { result, marks, cpu: cpu(marks) };
      const kind = task.targets.find((t) => t.name === name)?.kind;
      const label = kind === 'protocol' ? name : `${name} ${kind}`;
      process.stderr.write(`  ${task.scenario} on ${label}: ${brief(runs[name])}\n`);
    }
    return runs;
  } finally {
    await stopChild(child);
  }
}

// One progress line per run: the headline numbers, so a failure later still leaves a trace.
function brief(run: Run): string {
  const r = run.result;
  const keys = [
    'deliveriesPerSecond',
    'lost',
    'duplicated',
    'registrationsPerSecond',
    'connectedAtEnd',
    'mbPerSecond',
    'sha256Ok',
  ];
  const parts = keys.filter((k) => k in r).map((k) => `${k}=${String(r[k])}`);
  const lat = r.latencyMs as { p50: number; p99: number } | undefined;
  if (lat) parts.push(`p50=${lat.p50}ms p99=${lat.p99}ms`);
  parts.push(
    `sys=${run.cpu.serverSystemPercent ?? '—'}% cpu server=${run.cpu.serverCpuPercent ?? '—'}% load=${run.cpu.loadCpuPercent}% wall=${run.cpu.wallSeconds}s`,
  );
  return parts.join(' ');
}

// The newest main-thread profile in `dir` (of process `pid` when given) is the server's that
// just stopped (the others are from the module loader's thread).
function printProfile(dir: string, measured: Window[], pid?: number, label = 'server'): void {
  const files = readdirSync(dir)
    .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
    .filter((f) => pid === undefined || f.split('.')[3] === String(pid))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files[0] === undefined) return;
  const profile = JSON.parse(readFileSync(files[0], 'utf8')) as Parameters<typeof summarise>[0];
  const where = `${files[0]}, measured windows only`;
  process.stdout.write(`\n${label} profile ${where}\n${summarise(profile, 25, measured)}\n`);
}

// The server-clock stretches between each start… mark and its end… mark.
function windows(run: Run): Window[] {
  const out: Window[] = [];
  for (const [name, start] of Object.entries(run.marks)) {
    const end = name.startsWith('start') ? run.marks[`end${name.slice(5)}`] : undefined;
    if (start.server && end?.server) out.push([start.server.atMicros, end.server.atMicros]);
  }
  return out;
}

// CPU over the measured windows: every `start…`/`end…` pair of marks (one per round).
function cpu(marks: Run['marks']): Cpu {
  let wall = 0;
  let server: number | null = 0;
  let system = 0;
  let loadCpu = 0;
  for (const [name, start] of Object.entries(marks)) {
    const end = name.startsWith('start') ? marks[`end${name.slice(5)}`] : undefined;
    if (end === undefined) continue;
    wall += (end.atMs - start.atMs) / 1000;
    loadCpu += (end.load.cpuMicros - start.load.cpuMicros) / 1e6;
    server =
      server !== null && start.server && end.server
        ? server + (end.server.cpuMicros - start.server.cpuMicros) / 1e6
        : null;
    if (start.server && end.server) {
      system += (end.server.systemMicros - start.server.systemMicros) / 1e6;
    }
  }
  return {
    wallSeconds: round(wall),
    serverCpuSeconds: server === null ? null : round(server),
    serverCpuPercent: server === null ? null : round((100 * server) / wall, 1),
    serverSystemPercent: server === null || server === 0 ? null : round((100 * system) / server, 1),
    loadCpuSeconds: round(loadCpu),
    loadCpuPercent: round((100 * loadCpu) / wall, 1),
  };
}

async function runScenario(s: Scenario): Promise<Record<string, unknown>> {
  const params = { ...s.params(values.quick), ...overrides };
  const loadBefore = load();
  const servers = new Map<string, ServerHandle>();
  const targets: Target[] = [];
  let stopScraping = (): void => {};
  let cluster: ClusterRig | null = null;
  let redisBefore = { commands: 0, cpuSeconds: 0 };
  try {
    if (s.variant === 'cluster' && !external) {
      // One node alone is the baseline; the members alternate between two nodes on Redis.
      const source = values.source ? ['--source'] : [];
      const single = await startServer('server-process.ts', source);
      servers.set('baseline', single);
      targets.push({ name: 'baseline', kind: 'protocol', host: '127.0.0.1', port: single.port });
      cluster = await startClusterRig(source);
      servers.set('relaykit', cluster.handle);
      targets.push({
        name: 'relaykit',
        kind: 'protocol',
        host: '127.0.0.1',
        port: cluster.ports[0]!,
        ports: cluster.ports,
      });
      redisBefore = await cluster.redisUsage();
    } else if (s.transport === 'tls' && !external) {
      // Two server processes alike but for the wire (the load uses the same names on each):
      // the plaintext one is the baseline of the TLS one.
      // --server-module picks the build of both; --profile profiles the TLS one.
      const module = values['server-module'];
      const source = module ? ['--module', module] : values.source ? ['--source'] : [];
      const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
      const plain = await startServer('server-process.ts', source, nodeArgs);
      servers.set('baseline', plain);
      targets.push({ name: 'baseline', kind: 'protocol', host: '127.0.0.1', port: plain.port });
      const secure = await startServer('server-process.ts', ['--tls', ...source], nodeArgs);
      servers.set('relaykit', secure);
      targets.push({
        name: 'relaykit',
        kind: 'protocol',
        host: '127.0.0.1',
        port: secure.port,
        tls: { ca: secure.ca! },
      });
    } else if (s.variant === 'metrics' && !external) {
      // Two server processes alike but for --metrics: the one without is the baseline.
      const source = values.source ? ['--source'] : [];
      const plain = await startServer('server-process.ts', source);
      servers.set('baseline', plain);
      targets.push({ name: 'baseline', kind: 'protocol', host: '127.0.0.1', port: plain.port });
      const measured = await startServer('server-process.ts', ['--metrics', ...source]);
      servers.set('relaykit', measured);
      targets.push({ name: 'relaykit', kind: 'protocol', host: '127.0.0.1', port: measured.port });
      stopScraping = scrapeEverySecond(measured.metricsPort!);
    } else if (s.baseline) {
      // baselineBurnUs (raw rooms only): CPU the baseline spends per read before echoing, to
      // see how the tail follows the server's cost per post.
      const args =
        s.baseline === 'raw-rooms'
          ? [s.baseline, String(params.rooms), String(params.baselineBurnUs ?? 0)]
          : [s.baseline];
      const srv = await startServer('baseline-process.ts', args);
      servers.set('baseline', srv);
      targets.push({ name: 'baseline', kind: s.baseline, host: '127.0.0.1', port: srv.port });
    }
    if ((s.transport === 'tls' || s.variant !== undefined) && !external) {
      // Both targets are set up above.
    } else if (!s.server) {
      targets.push({ name: 'relaykit', kind: 'protocol', host: '', port: 0 });
    } else if (external) {
      const port = Number(values.port);
      targets.push({ name: 'relaykit', kind: 'protocol', host: values.host!, port });
    } else {
      const module = values['server-module'];
      const args = module ? ['--module', module] : values.source ? ['--source'] : [];
      const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
      const srv = await startServer('server-process.ts', args, nodeArgs);
      servers.set('relaykit', srv);
      targets.push({ name: 'relaykit', kind: 'protocol', host: '127.0.0.1', port: srv.port });
    }
    const params2 = { ...params, source: values.source ? 1 : 0 };
    const runs = await drive({ scenario: s.load ?? s.name, targets, params: params2 }, servers);
    if (cluster !== null) {
      const after = await cluster.redisUsage();
      runs.relaykit!.redis = {
        commands: after.commands - redisBefore.commands,
        cpuSeconds: round(after.cpuSeconds - redisBefore.cpuSeconds),
      };
      await cluster.stop();
      cluster = null;
    }
    const pids = new Map([...servers].map(([name, srv]) => [name, srv.pid]));
    for (const srv of servers.values()) await srv.stop();
    const run = runs.relaykit!;
    if (values.profile && s.transport === 'tls' && !external) {
      // Both servers ran under the profiler: the plaintext one shows what TLS adds.
      const base = runs.baseline!;
      printProfile(values.profile, windows(base), pids.get('baseline'), 'plaintext server');
      printProfile(values.profile, windows(run), pids.get('relaykit'), 'TLS server');
    } else if (values.profile && servers.has('relaykit')) {
      printProfile(values.profile, windows(run));
    }
    const base = runs.baseline ?? null;
    const evaluation = s.evaluate(run, base);
    process.stdout.write(`${table(`${s.name} (${loadBefore})`, evaluation.rows)}\n`);
    return {
      scenario: s.name,
      date: new Date().toISOString(),
      machine: machine(),
      load: { before: loadBefore, after: load() },
      server: external
        ? `${values.host}:${values.port}`
        : values['server-module']
          ? `relaykit (${values['server-module']})`
          : values.source
            ? 'relaykit (src via tsx)'
            : `relaykit (${relative(ROOT, compiledRoot())})`,
      params,
      ...evaluation,
      runs,
    };
  } finally {
    stopScraping();
    await cluster?.stop();
    for (const srv of servers.values()) await srv.stop();
  }
}

/**
 * Scrapes `/metrics` on `port` every second from this process, as Prometheus would from its
 * own (its default is every 15 s: every second is the most a user would ask for).
 */
function scrapeEverySecond(port: number): () => void {
  const agent = new Agent({ keepAlive: true });
  const timer = setInterval(() => {
    get({ host: '127.0.0.1', port, path: '/metrics', agent }, (res) => res.resume()).on(
      'error',
      () => {},
    );
  }, 1_000);
  return () => {
    clearInterval(timer);
    agent.destroy();
  };
}

build();
const serverEntry = join(compiledRoot(), 'src', 'server', 'index.js');
if (!values.source && !external && !existsSync(serverEntry)) {
  process.stderr.write(`${serverEntry} is missing: the server has not been built\n`);
}
const m = machine();
process.stdout.write(
  `relaykit bench: ${m.nproc} × ${m.cpu}, node ${m.node}, ${load()}${values.quick ? ' (quick)' : ''}\n`,
);
const started = Date.now();
const outDir = join(ROOT, 'bench', 'results');
let failures = 0;
const summary: string[] = [];
for (const s of chosen) {
  try {
    const report = await runScenario(s);
    const targets = report.targets as {
      what: string;
      met: boolean;
      value: string;
      target: string;
    }[];
    for (const t of targets) {
      summary.push(
        `${t.met ? 'MET   ' : 'MISSED'} ${s.name}: ${t.what} ${t.value} (target ${t.target})`,
      );
    }
    if (values.save && !values.quick) {
      mkdirSync(outDir, { recursive: true });
      const day = new Date().toISOString().slice(0, 10);
      const file = join(outDir, `${day}-${s.name}${values.label ? `-${values.label}` : ''}.json`);
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    }
  } catch (err) {
    failures++;
    process.stderr.write(
      `\n${s.name} failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
}
process.stdout.write(`\n${summary.join('\n')}\n`);
process.stdout.write(`\nbench done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exitCode = failures > 0 ? 1 : 0;

/** `--param NAME=NUMBER` flags as a parameter object; a malformed one stops the run. */
function parseOverrides(flags: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z][A-Za-z0-9]*)=(-?[0-9.]+)$/.exec(flag);
    if (match === null || !Number.isFinite(Number(match[2]))) {
      process.stderr.write(`--param ${flag}: write NAME=NUMBER, e.g. --param members=2000\n`);
      process.exit(2);
    }
    out[match[1]!] = Number(match[2]);
  }
  return out;
}
