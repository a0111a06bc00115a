// `npm run fuzz -- --iterations N --seed S`: a fuzzing campaign (campaign.ts) against a server
// in its own process. After each batch: the bystander pair still chats, a live transfer
// survives strangers (hijack.ts), no exception escaped the server, and its RSS stays within
// 256 MiB of the first batch's (heap after GC within 64 MiB). Exits 0 when every batch
// passed, 1 otherwise.
import { parseArgs } from 'node:util';
import { mib } from '../memory.js';
import { startServerProcess } from '../server-process.js';
import { runCampaign } from './campaign.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '20000' },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const batchFrames = Number(values.batch);
if (
  ![iterations, seed, batchFrames].every((n) => Number.isInteger(n) && n >= 0) ||
  iterations < 1
) {
  process.stderr.write('--iterations, --seed and --batch must be whole numbers (iterations ≥ 1)\n');
  process.exit(1);
}

const RSS_BOUND = 256 << 20;
const HEAP_BOUND = 64 << 20;
const started = performance.now();
const server = await startServerProcess(started);
const log = (line: string): void => void process.stdout.write(`${line}\n`);
log(`fuzz: ${iterations} frames, seed ${seed}, against 127.0.0.1:${server.port}`);
let first: { rss: number; heapUsed: number } | null = null;
const peak = { rss: 0, heapUsed: 0 };
let failure: string | null = null;
try {
  const result = await runCampaign({
    port: server.port,
    iterations,
    seed,
    batchFrames,
    afterBatch: async (p) => {
      if (server.crash !== null)
        throw new Error(
          `an exception in the server (escaped, or caught in a handler):\n${server.crash}`,
        );
      const s = await server.sample();
      first ??= s;
      peak.rss = Math.max(peak.rss, s.rss);
      peak.heapUsed = Math.max(peak.heapUsed, s.heapUsed);
      log(
        `${(s.at / 1000).toFixed(0).padStart(5)} s  ${p.frames} frames, ${p.connections} connections (${p.closedByServer} closed by the server mid-script)  server heap ${mib(s.heapUsed)} rss ${mib(s.rss)}  users ${s.users}`,
      );
      if (s.rss > first.rss + RSS_BOUND || s.heapUsed > first.heapUsed + HEAP_BOUND) {
        throw new Error(`server memory unbounded: rss ${mib(s.rss)}, heap ${mib(s.heapUsed)}`);
      }
    },
  });
  log(
    `\nsent ${result.frames} frames over ${result.connections} connections in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const [k, v] of Object.entries(result.counts).sort()) log(`  ${k}: ${v}`);
  // Set in afterBatch: TypeScript does not see the callback assign it.
  const base = first as { rss: number; heapUsed: number } | null;
  log(
    `server after the first batch: rss ${mib(base?.rss ?? 0)}, heap ${mib(base?.heapUsed ?? 0)}; peak after a batch: rss ${mib(peak.rss)}, heap ${mib(peak.heapUsed)}`,
  );
} catch (err) {
  failure = (err as Error).message;
}
const crash = server.crash;
await server.stop();
if (crash !== null && failure === null)
  failure = `an exception in the server (escaped, or caught in a handler):\n${crash}`;
log(failure === null ? '\nfuzz PASSED' : `\nfuzz FAILED: ${failure}`);
process.exit(failure === null ? 0 : 1);
