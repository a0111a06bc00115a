// `npm run soak -- --minutes 30 [--cluster]`: a mixed, realistic load against a server in its
// own process, or with --cluster against two nodes of one cluster (see README, "Soak and fuzz
// runs"). Samples heap and RSS every 10 s, then judges:
//   - memory flat after warm-up (stress/memory.ts: the last third of the samples after the
//     first fifth may exceed the first third's median by at most 20 % + 8 MiB of heap after
//     GC, 30 % + 32 MiB of RSS), for each server and for the load's own clients;
//   - no well-behaved client lost a post or a direct (stress/soak/steady.ts);
//   - every transfer complete with matching sha256 at both ends, or failed at both ends;
//   - no exception escaped the server.
// Exits 0 when all hold, 1 otherwise; the report goes to stdout.
import { scriptArgs, usageError } from '../cli-args.js';
import { HEAP_FLAT, judgeFlat, mib, RSS_FLAT, sampleSelf } from '../memory.js';
import type { MemorySample } from '../server-process.js';
import { stopOnSignal } from '../interrupt.js';
import { cannotStart, type StressServers, startStressServers } from '../servers.js';
import { Crowd } from './crowd.js';
import { FileTraffic } from './files.js';
import { startFlakyProxy } from './proxy.js';
import { SteadyGroup } from './steady.js';
import { Tally } from './tally.js';

const USAGE = `npm run soak -- [--minutes M] [--sample-seconds S] [--cluster]
  --minutes M         how long the load runs (default 30)
  --sample-seconds S  memory is sampled every S seconds (default 10)
  --cluster           against two nodes of one cluster on a redis-server of the run's own
                      (Debian: apt-get install redis-server)`;
const values = scriptArgs(
  {
    minutes: { type: 'string', default: '30' },
    'sample-seconds': { type: 'string', default: '10' },
    cluster: { type: 'boolean', default: false },
  },
  USAGE,
);
const minutes = Number(values.minutes);
const sampleMs = Number(values['sample-seconds']) * 1000;
if (!(minutes > 0)) usageError(`--minutes ${values.minutes}: give a positive number`, USAGE);
if (!(sampleMs > 0))
  usageError(`--sample-seconds ${values['sample-seconds']}: give a positive number`, USAGE);

const started = performance.now();
// Logged when they happen too, so that a violation can be matched to the samples around it.
// (Not once interrupted: the teardown cuts everyone off, which is no violation.)
const tally = new Tally((what) => {
  if (interrupt.interrupted) return;
  process.stdout.write(
    `${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  violation: ${what}\n`,
  );
});
let run: StressServers | null = null;
let files: FileTraffic | null = null;
const interrupt = stopOnSignal('soak', async () => {
  files?.abort();
  await run?.abort();
});
run = await startStressServers(started, values.cluster === true, {
  // Small, so that slow readers are dropped within seconds instead of minutes.
  RELAYKIT_STRESS_MAX_OUTPUT: String(256 * 1024),
}).catch(cannotStart('soak'));
const { servers, ports } = run;
// The flaky network leads to the first node: senders and roamers behind it talk across.
const proxy = await startFlakyProxy(ports[0]!);
const steady = new SteadyGroup(tally);
const crowd = new Crowd(tally, ports, proxy);
files = new FileTraffic(tally);
await steady.start(ports, 5, 'steady');
await crowd.start(20, 5);
await files.start(ports, proxy, 3);

const serverSamples: MemorySample[][] = servers.map(() => []);
const selfSamples: MemorySample[] = [];
const log = (line: string): void => void process.stdout.write(`${line}\n`);
log(
  `soak: ${minutes} min against 127.0.0.1:${ports.join(' and ')}${run.redis ? ` (two nodes on redis ${run.redis.url})` : ''}, samples every ${sampleMs / 1000} s`,
);
const end = started + minutes * 60_000;
const down = (): boolean => run.crash() !== null || servers.some((s) => s.exited);
while (performance.now() < end && !down()) {
  await new Promise((r) => setTimeout(r, Math.min(sampleMs, end - performance.now())));
  await interrupt.settle();
  if (servers.some((s) => s.exited)) break;
  const samples = await Promise.all(servers.map((s) => s.sample())).catch(async (err) => {
    await interrupt.settle(); // the servers were killed under the sample: no error to report
    throw err;
  });
  const me = sampleSelf(started);
  for (const [i, s] of samples.entries()) serverSamples[i]!.push(s);
  selfSamples.push(me);
  const each = samples.map(
    (s) => `heap ${mib(s.heapUsed)} rss ${mib(s.rss)} users ${s.users} conns ${s.connections}`,
  );
  log(
    `${(samples[0]!.at / 1000).toFixed(0).padStart(5)} s  server ${each.join('; ')}  load heap ${mib(me.heapUsed)} rss ${mib(me.rss)}  violations ${tally.counts.get('violations') ?? 0}`,
  );
}

await interrupt.settle();
await crowd.stop();
await files.stop();
await steady.finish(15_000);
const crash = run.crash();
await run.stop();
await proxy.close();

log('\ncounts:');
log(tally.summary());
let pass = tally.violations.length === 0 && crash === null;
if (crash !== null)
  log(`\nan exception in the server (escaped, or caught in a handler):\n${crash}`);
const judged: [string, MemorySample[]][] = [
  ...serverSamples.map((s, i): [string, MemorySample[]] => [
    servers.length === 1 ? 'server' : `server ${i + 1}`,
    s,
  ]),
  ['load', selfSamples],
];
for (const [who, samples] of judged) {
  for (const [what, criterion] of [
    ['heapUsed', HEAP_FLAT],
    ['rss', RSS_FLAT],
  ] as const) {
    const v = judgeFlat(
      samples.map((s) => s[what]),
      criterion,
    );
    // judgeFlat needs three samples after the warm-up: a shorter run is not judged (it used
    // to print 'baseline NaN MiB ... flat').
    log(
      Number.isNaN(v.baseline)
        ? `${who} ${what}: not judged, ${samples.length} samples (give --minutes or --sample-seconds for 3 or more)`
        : `${who} ${what}: baseline ${mib(v.baseline)}, peak of the last third ${mib(v.peak)}, limit ${mib(v.limit)}: ${v.flat ? 'flat' : 'GROWING'}`,
    );
    if (!v.flat) pass = false;
  }
}
if (tally.violations.length > 0) {
  log('\nviolations:');
  for (const v of tally.violations) log(`  ${v}`);
}
log(`\nsoak ${pass ? 'PASSED' : 'FAILED'}`);
process.exit(pass ? 0 : 1);
