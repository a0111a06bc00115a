// `npm run stop-race -- --iterations N`: every long-running command, signalled (SIGTERM and
// SIGINT in turn) while its server is SIGTERMed, SIGKILLed at the same moment or gone before,
// N times each. Prints a line per combination and exits 1 if any stop took 2 s or more,
// needed the backstop, or ended with another exit code than a clean stop gives.
import { killAll } from '../test/e2e/helpers/cli.js';
import { scriptArgs, usageError } from './cli-args.js';
import { stopOnSignal } from './interrupt.js';
import {
  cleanExitCode,
  removeRaceDirs,
  type ServerFate,
  STOPPABLE,
  stopRace,
} from './stop-race.js';

const USAGE = `npm run stop-race -- [--iterations N]
  signals each long-running command N times (default 10) for each fate of its server
  (SIGTERMed, SIGKILLed, gone before); exits 1 if any stop took 2 s or more
  commands: ${STOPPABLE.join(', ')}`;
const values = scriptArgs({ iterations: { type: 'string', default: '10' } }, USAGE);
const iterations = Number(values.iterations);
if (!Number.isInteger(iterations) || iterations < 1) {
  usageError(`--iterations ${values.iterations}: give a whole number of at least 1`, USAGE);
}

// Ctrl-C: the CLI processes of the race under way and its directory go with the run.
stopOnSignal('stop-race', async () => {
  await killAll();
  removeRaceDirs();
});

const FATES: ServerFate[] = ['SIGTERM', 'SIGKILL', 'earlier'];
let failures = 0;
for (const command of STOPPABLE) {
  for (const server of FATES) {
    const times: number[] = [];
    const bad: string[] = [];
    for (let i = 0; i < iterations; i++) {
      const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGINT';
      try {
        const o = await stopRace({ command, signal, server });
        times.push(o.ms);
        if (o.backstop || o.ms >= 2_000 || o.code !== cleanExitCode(command)) {
          bad.push(`#${i} ${signal}: ${Math.round(o.ms)} ms, exit ${o.code}: ${o.stderr.trim()}`);
        }
      } catch (err) {
        bad.push(`#${i} ${signal}: ${(err as Error).message}`);
        await killAll();
      }
    }
    times.sort((a, b) => a - b);
    const max = times.length > 0 ? Math.round(times[times.length - 1]!) : NaN;
    const median = times.length > 0 ? Math.round(times[times.length >> 1]!) : NaN;
    process.stdout.write(
      `${command.padEnd(8)} server ${server.padEnd(8)} ${iterations - bad.length}/${iterations} clean, median ${median} ms, max ${max} ms\n`,
    );
    for (const line of bad) process.stdout.write(`  ${line}\n`);
    failures += bad.length;
  }
}
process.stdout.write(failures === 0 ? 'all stops clean\n' : `${failures} bad stops\n`);
process.exit(failures === 0 ? 0 : 1);
