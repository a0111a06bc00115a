import { resolve } from 'node:path';
import type { CliCommand, GlobalOptions } from '../command.js';
import { runDemo } from '../demo/script.js';
import { Transcript } from '../demo/transcript.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { describeFailure } from '../failure.js';
import { resolveServer } from '../server-target.js';

interface DemoArgs extends GlobalOptions {
  dir: string;
}

// The demo must end by itself: this bounds it even if a step hangs.
const DEMO_DEADLINE_MS = 15_000;

/** Rejects when `signal` aborts: a step that ignores the signal cannot hold the demo up. */
function deadline(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void =>
      reject(
        new CliError(
          'DEMO_TIMEOUT',
          signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
            ? ExitCode.CONNECTION
            : ExitCode.INTERRUPTED,
          signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
            ? `it did not finish within ${DEMO_DEADLINE_MS / 1000} s; is the machine very busy?`
            : 'interrupted',
        ),
      );
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** `relaykit demo` (`npm start`): the bundled server, three bots and a scripted visitor. */
export const demoCommand: CliCommand<DemoArgs> = {
  command: 'demo',
  describe: 'Run the demo: bundled server, echo bot, archiver, file sink and a visitor (about 3 s)',
  builder: (y) =>
    y
      .option('dir', {
        type: 'string',
        default: 'relaykit-demo',
        requiresArg: true,
        describe: 'Where the demo leaves its archive and the received file',
      })
      .example('$0 demo', 'what `npm start` runs; results land in ./relaykit-demo/')
      .example('$0 demo --server 127.0.0.1:4000 --dir /tmp/demo', 'against a running server'),
  run: async (argv, ctx) => {
    const { output } = ctx;
    const dir = resolve(argv.dir);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(DEMO_DEADLINE_MS)]);
    const target = await resolveServer({
      server: argv.server,
      notice: output.notice,
      reuseRunning: false,
      tls: ctx.tls,
    });
    try {
      const t = new Transcript(output);
      const running = runDemo(target, dir, t, signal);
      running.catch(() => {}); // if the deadline wins, its late failure is expected
      const result = await Promise.race([running, deadline(signal)]);
      output.line('');
      output.line(`Archive:       ${result.archiveLog}`);
      output.line(`               ${result.archiveJsonl}`);
      output.line(`Received file: ${result.received?.path ?? '(none)'}`);
      output.line(
        result.ok ? 'Demo finished: every check passed.' : 'Demo finished with a failed check.',
      );
      return result.ok ? ExitCode.OK : ExitCode.TRANSFER_FAILED;
    } catch (err) {
      const failure = describeFailure(err, { server: target.label });
      output.error(`the demo stopped: ${failure.message}`);
      return failure.exitCode;
    } finally {
      await target.close();
    }
  },
};
