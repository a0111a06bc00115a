import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';

/** Where CLI output goes and how it may look. Built once per command from the global options. */
export interface Output {
  /** Machine-readable or primary output (listings, `--json`, transcripts). */
  readonly stdout: NodeJS.WritableStream;
  /** Progress, spinners, notices and errors. */
  readonly stderr: NodeJS.WritableStream;
  /** Colours for text written to stdout (none unless stdout is a colour-capable TTY). */
  readonly out: ChalkInstance;
  /** Colours for text written to stderr (none unless stderr is a colour-capable TTY). */
  readonly err: ChalkInstance;
  /** True when stderr is an interactive terminal: spinners and progress bars may draw. */
  readonly interactive: boolean;
  /** Writes one line to stdout. */
  line(text: string): void;
  /** Writes one notice line to stderr (`relaykit: …`). */
  notice(text: string): void;
  /** Writes an error line to stderr, in red where colour is allowed. */
  error(text: string): void;
  /** A spinner on stderr; silent unless stderr is an interactive terminal. */
  spinner(text: string): Spinner;
}

/** The part of a spinner commands use. Every method is a no-op when spinners are off. */
export interface Spinner {
  text: string;
  start(): Spinner;
  /** Stops and erases the spinner. */
  stop(): void;
  /** Stops, leaving a final ✔ line (interactive only). */
  succeed(text?: string): void;
}

/** Options of `createOutput`. */
export interface OutputOptions {
  /** `false` for --no-color. */
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Keep internal error codes such as `[NAME_FORBIDDEN_CHARACTER, wire ILLEGAL_NAME]` in
   * notices and errors (--verbose or --json); by default a person sees only the sentence.
   */
  codes?: boolean;
}

/** The `[CODE, wire NAME]` suffix a `ProtocolError` puts on its message. */
const INTERNAL_CODES = / \[[A-Z][A-Z0-9_]*, wire [A-Z][A-Z0-9_]*\]/g;

/**
 * Removes internal error codes from a message meant for a person.
 *
 * @example
 * withoutCodes('Invalid name: U+0020 at byte 1 [NAME_FORBIDDEN_CHARACTER, wire ILLEGAL_NAME]')
 * // → 'Invalid name: U+0020 at byte 1'
 */
export function withoutCodes(text: string): string {
  return text.replace(INTERNAL_CODES, '');
}

/**
 * True when colour is allowed at all: not turned off with --no-color, and `NO_COLOR` unset or
 * empty (https://no-color.org). Whether a given stream gets colour also needs it to be a TTY.
 */
export function colorAllowed(color: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (color === false) return false;
  const noColor = env.NO_COLOR;
  return noColor === undefined || noColor === '';
}

/**
 * Builds the `Output` for one command. Colour needs a TTY, --color (the default) and no
 * `NO_COLOR`; spinners need stderr to be a TTY and colour allowed.
 *
 * @example
 * const out = createOutput({ color: argv.color })
 * out.notice('bundled server on 127.0.0.1:17734')
 */
export function createOutput(options: OutputOptions = {}): Output {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const allowed = colorAllowed(options.color, env);
  const dumb = env.TERM === 'dumb';
  const outColor = allowed && stdout.isTTY === true && !dumb;
  const errColor = allowed && stderr.isTTY === true && !dumb;
  const out = new Chalk({ level: outColor ? 1 : 0 });
  const err = new Chalk({ level: errColor ? 1 : 0 });
  // Spinners redraw a line with escape codes: only on an interactive stderr with colour on.
  // A pseudo-terminal with no width (some CI runners, `script`) cannot redraw a line.
  const columns = (stderr as { columns?: number }).columns;
  const interactive = errColor && env.CI === undefined && columns !== 0;
  const human = (text: string): string => (options.codes === true ? text : withoutCodes(text));
  return {
    stdout,
    stderr,
    out,
    err,
    interactive,
    line: (text) => {
      stdout.write(`${text}\n`);
    },
    notice: (text) => {
      stderr.write(`${err.dim('relaykit:')} ${human(text)}\n`);
    },
    error: (text) => {
      stderr.write(`${err.red('relaykit:')} ${human(text)}\n`);
    },
    spinner: (text) =>
      interactive ? oraSpinner(ora({ text, stream: stderr })) : quietSpinner(text),
  };
}

function oraSpinner(o: Ora): Spinner {
  const spinner: Spinner = {
    get text() {
      return o.text;
    },
    set text(value: string) {
      o.text = value;
    },
    start() {
      o.start();
      return spinner;
    },
    stop() {
      o.stop();
    },
    succeed(text) {
      o.succeed(text);
    },
  };
  return spinner;
}

function quietSpinner(text: string): Spinner {
  const spinner: Spinner = {
    text,
    start: () => spinner,
    stop() {},
    succeed() {},
  };
  return spinner;
}
