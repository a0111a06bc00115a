// `npm run fuzz -- --iterations N --seed S [--cluster]`: a fuzzing campaign (campaign.ts)
// against a server in its own process, or with --cluster against two nodes of one cluster on
// a redis-server of the run's own, each in its own process. After each batch: the bystander
// pair still chats, a live transfer survives strangers (hijack.ts), no exception escaped a
// server, and each server's RSS stays within 256 MiB of its first batch's (heap after GC
// within 64 MiB). Exits 0 when every batch passed, 1 otherwise.
import { mib } from '../memory.js';
import type { MemorySample } from '../server-process.js';
import { scriptArgs, usageError } from '../cli-args.js';
import { stopOnSignal } from '../interrupt.js';
import { cannotStart, type StressServers, startStressServers } from '../servers.js';
import { runCampaign } from './campaign.js';

const USAGE = `npm run fuzz -- [--iterations N] [--seed S] [--batch B] [--cluster]
  --iterations N  frames to send in all (default 100000)
  --seed S        the PRNG's seed: the same seed sends the same bytes (default 1)
  --batch B       frames between checks of the server (default 20000)
  --cluster       against two nodes of one cluster on a redis-server of the run's own
                  (Debian: apt-get install redis-server)`;
const values = scriptArgs(
  {
    iterations: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '20000' },
    cluster: { type: 'boolean', default: false },
  },
  USAGE,
);
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const batchFrames = Number(values.batch);
// A batch of 0 frames would never reach N: at least 1.
if (!Number.isInteger(iterations) || iterations < 1)
  usageError(`--iterations ${values.iterations}: give a whole number of at least 1`, USAGE);
if (!Number.isInteger(batchFrames) || batchFrames < 1)
  usageError(`--batch ${values.batch}: give a whole number of at least 1`, USAGE);
// The PRNG keeps 32 bits: a larger seed would replay a smaller one's campaign.
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)
  usageError(`--seed ${values.seed}: give a whole number from 0 to 4294967295`, USAGE);

const RSS_BOUND = 256 << 20;
const HEAP_BOUND = 64 << 20;
const started = performance.now();
let run: StressServers | null = null;
const interrupt = stopOnSignal('fuzz', async () => run?.abort());
run = await startStressServers(started, values.cluster === true).catch(cannotStart('fuzz'));
const { servers, ports, redis } = run;
const log = (line: string): void => void process.stdout.write(`${line}\n`);
log(
  `fuzz: ${iterations} frames, seed ${seed}, against 127.0.0.1:${ports.join(' and ')}${redis ? ` (two nodes on redis ${redis.url})` : ''}`,
);
type Sample = MemorySample & { users: number };
const first: (Sample | null)[] = servers.map(() => null);
const peak = servers.map(() => ({ rss: 0, heapUsed: 0 }));
let failure: string | null = null;
try {
  const result = await runCampaign({
    port: ports,
    iterations,
    seed,
    batchFrames,
    afterBatch: async (p) => {
      const crash = run.crash();
      if (crash !== null)
        throw new Error(`an exception in a server (escaped, or caught in a handler):\n${crash}`);
      const samples = await Promise.all(servers.map((s) => s.sample()));
      const memory = samples.map((s, i) => {
        first[i] ??= s;
        peak[i]!.rss = Math.max(peak[i]!.rss, s.rss);
        peak[i]!.heapUsed = Math.max(peak[i]!.heapUsed, s.heapUsed);
        return `heap ${mib(s.heapUsed)} rss ${mib(s.rss)} users ${s.users}`;
      });
      log(
        `${(samples[0]!.at / 1000).toFixed(0).padStart(5)} s  ${p.frames} frames, ${p.connections} connections (${p.closedByServer} closed by the server mid-script)  server ${memory.join('; ')}`,
      );
      samples.forEach((s, i) => {
        const base = first[i]!;
        if (s.rss > base.rss + RSS_BOUND || s.heapUsed > base.heapUsed + HEAP_BOUND) {
          throw new Error(`server memory unbounded: rss ${mib(s.rss)}, heap ${mib(s.heapUsed)}`);
        }
      });
    },
  });
  log(
    `\nsent ${result.frames} frames over ${result.connections} connections in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const [k, v] of Object.entries(result.counts).sort()) log(`  ${k}: ${v}`);
  servers.forEach((_, i) => {
    // Set in afterBatch: TypeScript does not see the callback assign it.
    const base = first[i] as Sample | null;
    log(
      `server ${i + 1} after the first batch: rss ${mib(base?.rss ?? 0)}, heap ${mib(base?.heapUsed ?? 0)}; peak after a batch: rss ${mib(peak[i]!.rss)}, heap ${mib(peak[i]!.heapUsed)}`,
    );
  });
} catch (err) {
  failure = (err as Error).message;
}
await interrupt.settle();
const crash = run.crash();
await run.stop();
if (crash !== null && failure === null)
  failure = `an exception in a server (escaped, or caught in a handler):\n${crash}`;
log(failure === null ? '\nfuzz PASSED' : `\nfuzz FAILED: ${failure}`);
process.exit(failure === null ? 0 : 1);
