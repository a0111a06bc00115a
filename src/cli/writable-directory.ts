import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDirectory } from '../ensure-directory.js';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * Makes sure `dir` exists and a file can be created in it, before a command connects: a
 * receiver that starts on a folder it cannot write would otherwise decline every offer. The
 * probe writes and removes a hidden file, since permission bits alone lie to root and say
 * nothing of read-only mounts. Throws a `CliError` (exit 1) naming the folder and the cause.
 *
 * @example
 * checkWritableDirectory('./incoming', '--dir')
 */
export function checkWritableDirectory(dir: string, option: string): void {
  const where = resolve(dir);
  const probe = join(where, `.relaykit-probe-${process.pid}`);
  try {
    ensureDirectory(where);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw new CliError(
      'DIRECTORY_NOT_WRITABLE',
      ExitCode.USAGE,
      `${option} ${where} cannot hold files (${code ?? message}); choose a folder you can write to, or fix its permissions`,
    );
  }
}
