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

/**
 * Hides the global options about dialling a server from the help of a command that dials
 * none (`serve`, `validate`, `cert`, `archive html|web`); `tls` false keeps the --tls-* flags
 * for a command that defines its own.
 */
export function hideDialOptions<T>(yargs: Argv<T>, options: { tls: boolean }): Argv<T> {
  const names = ['server', 'insecure', ...(options.tls ? ['tls-ca', 'tls-cert', 'tls-key'] : [])];
  return names.reduce((y, name) => y.hide(name), yargs);
}

/**
 * Replaces yargs' "Not enough non-option arguments: got 0, need at least 1" for this command
 * with a sentence a person can act on. The builder runs only for the command given, so the
 * sentence applies to that command alone.
 *
 * @example
 * whenMissing(y, 'Name a room to listen to: relaykit listen <room> [more rooms]')
 */
export function whenMissing<T>(yargs: Argv<T>, sentence: string): Argv<T> {
  // yargs formats the string with the two counts; `%c` (util.format's ignored CSS) takes
  // them, so they are not appended to the sentence.
  const text = `${sentence.replaceAll('%', '%%')}%c%c`;
  return yargs.updateStrings({
    'Not enough non-option arguments: got %s, need at least %s': { one: text, other: text },
  } as never);
}
