import { resolve } from 'node:path';
import { exportSite } from '../../archive/web/index.js';
import { RelayKitError } from '../../errors.js';
import { hideDialOptions } from '../options.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';

interface ArchiveHtmlArgs extends GlobalOptions {
  dir: string;
  out: string;
}

/** `relaykit archive html --dir D --out SITE`: the viewer's pages as a static site. */
export const archiveHtmlCommand: CliCommand<ArchiveHtmlArgs> = {
  command: 'html',
  describe: 'Export an archive directory as a static web site (no search or live tail)',
  builder: (y0) => {
    const y = hideDialOptions(y0, { tls: true });
    return y
      .option('dir', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'The archive root `relaykit archive --dir` writes to',
      })
      .option('out', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'Where to write the site (created; existing pages are overwritten)',
      })
      .example('$0 archive html --dir ./irc-logs --out ./site', 'then publish ./site anywhere');
  },
  run: async (argv, ctx) => {
    try {
      const summary = await exportSite(argv.dir, argv.out);
      ctx.output.notice(
        `wrote ${summary.pages} pages and ${summary.files} log files to ${resolve(argv.out)} (open index.html)`,
      );
    } catch (err) {
      if (err instanceof RelayKitError) throw err;
      throw new CliError(
        'EXPORT_FAILED',
        ExitCode.USAGE,
        `Cannot export ${argv.dir} to ${argv.out}: ${(err as Error).message}. Check both paths.`,
        { cause: err },
      );
    }
    return ExitCode.OK;
  },
};
