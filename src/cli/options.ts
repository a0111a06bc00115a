import type { Argv } from 'yargs';

/** Adds `--as <name>` (the name to register), defaulting to `<prefix>-<pid>`. */
export function asOption<T>(yargs: Argv<T>, prefix: string) {
  return yargs.option('as', {
    type: 'string',
    default: defaultName(prefix),
    defaultDescription: `"${prefix}-<pid>"`,
    describe: 'The user name to connect as',
    requiresArg: true,
  });
}

/** Adds `--json`: one JSON value per line on stdout instead of text. */
export function jsonOption<T>(yargs: Argv<T>) {
  return yargs.option('json', {
    type: 'boolean',
    default: false,
    describe: 'Machine output: JSON on stdout, one value per line',
  });
}

/** A default client name for commands run without --as: `<prefix>-<pid>`. */
export function defaultName(prefix: string): string {
  return `${prefix}-${process.pid}`;
}
