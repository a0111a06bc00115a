import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type CliCommand, toYargsModule } from './command.js';
import { archiveCommand } from './commands/archive.js';
import { certCommand } from './commands/cert.js';
import { demoCommand } from './commands/demo.js';
import { listenCommand } from './commands/listen.js';
import { newCommand } from './commands/new.js';
import { onlineCommand } from './commands/online.js';
import { receiveCommand } from './commands/receive.js';
import { roomsCommand } from './commands/rooms.js';
import { sayCommand } from './commands/say.js';
import { sendCommand } from './commands/send.js';
import { serveCommand } from './commands/serve.js';
import { serveFilesCommand } from './commands/serve-files.js';
import { whoCommand } from './commands/who.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { ExitCode } from './exit-codes.js';
import { ownVersion } from './own-version.js';

// Entry point of the relaykit CLI; the only module that calls process.exit.
//
// Adding a command: write src/cli/commands/<name>.ts exporting a `CliCommand` (see
// command.ts: a typed yargs builder plus `run(argv, ctx)` resolving to an exit code) and add
// it to COMMANDS.

// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type
const COMMANDS: CliCommand<any>[] = [
  sayCommand,
  listenCommand,
  archiveCommand,
  sendCommand,
  receiveCommand,
  roomsCommand,
  whoCommand,
  runCommand,
  validateCommand,
  onlineCommand,
  demoCommand,
  serveCommand,
  certCommand,
  serveFilesCommand,
  newCommand,
];

/** How long a signalled command may take to stop cleanly before it is stopped anyway. */
const STOP_DEADLINE_MS = 1_500;

/** A usage error found by yargs (unknown option, missing argument, failed check). */
class UsageFailure extends Error {}

/**
 * Help uses the whole terminal; through a pipe there is no terminal, so $COLUMNS (which
 * shells set but do not export by default) or 100.
 */
function helpWidth(): number {
  return process.stdout.columns ?? (Number(process.env.COLUMNS) || 100);
}

let exitCode: number = ExitCode.OK;
const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  // A second Ctrl-C means "now": do not wait for a clean shutdown.
  if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
  controller.abort(signal);
  // Every command promises to stop within 2 s of a signal. A clean stop takes milliseconds;
  // this is the backstop for a peer that stops reading in the middle of our goodbye.
  setTimeout(() => {
    process.stderr.write(
      `relaykit: ${signal}: the clean shutdown did not finish within ${STOP_DEADLINE_MS} ms; exiting now\n`,
    );
    process.exit(ExitCode.INTERRUPTED);
  }, STOP_DEADLINE_MS).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const runtime = {
  signal: controller.signal,
  setExitCode: (code: number) => {
    exitCode = code;
  },
};

const cli = yargs(hideBin(process.argv))
  .scriptName('relaykit')
  .usage('$0 <command> [options]')
  .option('server', {
    type: 'string',
    describe:
      'host:port, or tls://host:port for TLS, of a relay server; a list a:17734,b:17734 names ' +
      'nodes of one relay to fail over between (default 127.0.0.1:17734; ' +
      'run, listen, archive, receive and demo start the bundled server there when none answers)',
    requiresArg: true,
    global: true,
  })
  .option('color', {
    type: 'boolean',
    default: true,
    describe: 'Colour and spinners on a terminal (--no-color, or NO_COLOR=1, turns them off)',
    global: true,
  })
  .option('tls-ca', {
    type: 'string',
    describe: 'CA certificate (PEM) to trust for tls:// servers [env RELAYKIT_TLS_CA]',
    requiresArg: true,
    global: true,
  })
  .option('tls-cert', {
    type: 'string',
    describe: 'Client certificate (PEM) for servers that ask for one [env RELAYKIT_TLS_CERT]',
    requiresArg: true,
    global: true,
  })
  .option('tls-key', {
    type: 'string',
    describe: 'Private key (PEM) of --tls-cert [env RELAYKIT_TLS_KEY]',
    requiresArg: true,
    global: true,
  })
  .option('verbose', {
    type: 'boolean',
    describe: 'Show internal error codes in messages, for bug reports (--json shows them too)',
    global: true,
  })
  .option('insecure', {
    type: 'boolean',
    describe:
      "Do not check a tls:// server's certificate (prints a warning; not safe) [env RELAYKIT_INSECURE=1]",
    global: true,
  });

for (const spec of COMMANDS) cli.command(toYargsModule(spec, runtime));

cli
  .demandCommand(1, 'Name a command; `relaykit --help` lists them.')
  .recommendCommands()
  .strict()
  .exitProcess(false)
  .fail((message, err) => {
    // Throwing stops yargs here: it must not go on to run the command's handler.
    const text = message ?? err?.message ?? 'invalid usage';
    // recommendCommands says only "Did you mean x?": name the problem first.
    throw new UsageFailure(text.startsWith('Did you mean') ? `Unknown command. ${text}` : text);
  })
  .example('$0 demo', 'see it work: bundled server, three bots and a visitor')
  .example('tail -f app.log | $0 say ops --as logbot --server 127.0.0.1:17734', 'a log into a room')
  .example('$0 listen ops --json --server 127.0.0.1:17734', 'a room as JSON lines')
  .epilogue(
    'Exit codes: 0 ok, 1 usage or invalid input, 2 connection failure, 3 name in use, ' +
      '4 not delivered (offline or refused), 5 transfer failed, 130 interrupted.',
  )
  .help()
  .alias('h', 'help')
  .version(ownVersion())
  .wrap(helpWidth());

try {
  await cli.parseAsync();
} catch (err) {
  if (err instanceof UsageFailure) {
    process.stderr.write(`relaykit: ${err.message}\n`);
    process.stderr.write('Run `relaykit --help` or `relaykit <command> --help` for usage.\n');
  } else {
    // Command handlers report their own failures; anything reaching here is a bug.
    process.stderr.write(`relaykit: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
  }
  exitCode = ExitCode.USAGE;
}

// Output to a pipe is asynchronous: let it drain so `relaykit rooms --json | jq` gets it all.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(exitCode);
