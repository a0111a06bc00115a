import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeFailure } from './failure.js';
import { createOutput, type Output } from './output.js';
import { type CliTlsSettings, cliTlsSettings } from './tls/client-files.js';

/** Options every command accepts (registered once in main.ts). */
export interface GlobalOptions {
  /** `host:port`; absent means the bundled server. */
  server: string | undefined;
  /** `false` with --no-color. */
  color: boolean;
  /** CA, client certificate and key files for `tls://` servers (or RELAYKIT_TLS_*). */
  'tls-ca'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  /** Skip the server certificate check (or RELAYKIT_INSECURE=1). */
  insecure?: boolean | undefined;
  /** Show internal error codes and other detail meant for bug reports. */
  verbose?: boolean | undefined;
}

/** What a command gets besides its arguments. */
export interface CommandContext {
  /** stdout/stderr, colours and spinners, already honouring --no-color and NO_COLOR. */
  readonly output: Output;
  /** Aborted on Ctrl-C or SIGTERM: long-running commands stop cleanly when it fires. */
  readonly signal: AbortSignal;
  /** How to dial `tls://` servers: the global --tls-* flags, else RELAYKIT_TLS_*. */
  readonly tls: CliTlsSettings;
}

/**
 * One CLI command: yargs' typed builder for its options, and `run`, which calls the public SDK
 * and resolves with an exit code (see `ExitCode`). `run` never calls `process.exit`; errors it
 * throws become one line on stderr and an exit code (`describeFailure`).
 *
 * @example
 * export const roomsCommand: CliCommand<GlobalOptions & { json: boolean }> = {
 *   command: 'rooms', describe: 'List the rooms',
 *   builder: (y) => y.option('json', { type: 'boolean', default: false }),
 *   run: async (argv, ctx) => ExitCode.OK,
 * }
 */
export interface CliCommand<A extends GlobalOptions> {
  command: string | readonly string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<A>;
  run: (argv: ArgumentsCamelCase<A>, ctx: CommandContext) => Promise<number>;
  /** Commands under this one (`archive web`); yargs picks one when its name comes first. */
  // biome-ignore lint/suspicious/noExplicitAny: each subcommand has its own argument type
  subcommands?: readonly CliCommand<any>[];
}

/** Where `toYargsModule` reports a command's outcome; main.ts owns it. */
export interface CommandRuntime {
  readonly signal: AbortSignal;
  setExitCode(code: number): void;
  /** Streams and env, for tests; default: the process's own. */
  outputOptions?: Omit<Parameters<typeof createOutput>[0], 'color'>;
}

/** Turns a `CliCommand` into the `CommandModule` yargs registers. */
export function toYargsModule<A extends GlobalOptions>(
  spec: CliCommand<A>,
  runtime: CommandRuntime,
): CommandModule<GlobalOptions, A> {
  return {
    command: spec.command as string | string[],
    describe: spec.describe,
    builder: (y) => {
      const built = spec.builder(y);
      for (const sub of spec.subcommands ?? []) built.command(toYargsModule(sub, runtime) as never);
      return built;
    },
    handler: async (argv) => {
      const json = (argv as { json?: unknown }).json === true;
      const output = createOutput({
        ...runtime.outputOptions,
        color: argv.color,
        codes: argv.verbose === true || json,
      });
      let code: number;
      try {
        const tls = cliTlsSettings(argv, process.env);
        code = await spec.run(argv, { output, signal: runtime.signal, tls });
      } catch (err) {
        const failure = describeFailure(err);
        output.error(failure.message);
        if (failure.exitCode === 1 && !(err instanceof Error && 'code' in err)) {
          // An unexpected failure: show where, so it can be reported.
          if (err instanceof Error && err.stack) output.stderr.write(`${err.stack}\n`);
        }
        code = failure.exitCode;
      }
      runtime.setExitCode(code);
    },
  };
}
