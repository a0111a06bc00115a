import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanExitCode, STOPPABLE, stopRace } from '../../stress/stop-race.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll } from './helpers/cli.js';

// Each long-running command, signalled while its server vanishes at the same moment, and
// while it is reconnecting to a server that died before. `npm run stop-race` runs every
// combination (server SIGTERMed too, both signals) many more times.
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);
afterEach(killAll);

describe.each(STOPPABLE)('relaykit %s stops within 2 s of a signal', (command) => {
  it.each([
    { signal: 'SIGTERM', server: 'SIGKILL' },
    { signal: 'SIGINT', server: 'earlier' },
  ] as const)('$signal with the server $server', async ({ signal, server }) => {
    const outcome = await stopRace({ command, signal, server });
    expect(outcome.backstop, outcome.stderr).toBe(false);
    expect(outcome.ms).toBeLessThan(2_000);
    expect(outcome.code, outcome.stderr).toBe(cleanExitCode(command));
  });
});
