import { resolve } from 'node:path';
import { startArchiveViewer } from '../../archive/web/index.js';
import { hideDialOptions } from '../options.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { waitForAbort } from '../wait-for-abort.js';

interface ArchiveWebArgs extends GlobalOptions {
  dir: string;
  host: string;
  port: number;
}

/** `relaykit archive web --dir D`: serves the archive tree read-only over HTTP until Ctrl-C. */
export const archiveWebCommand: CliCommand<ArchiveWebArgs> = {
  command: 'web',
  describe: 'Serve an archive directory in the browser: index, day logs, search, live tail',
  builder: (y0) => {
    const y = hideDialOptions(y0, { tls: true });
    return y
      .option('dir', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'The archive root `relaykit archive --dir` writes to',
      })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        requiresArg: true,
        describe: 'Address to listen on (loopback: only this machine can read the archive)',
      })
      .option('port', {
        type: 'number',
        default: 8080,
        requiresArg: true,
        describe: 'Port to listen on (0: any free port)',
      })
      .example('$0 archive web --dir ./irc-logs', 'then open http://127.0.0.1:8080/');
  },
  run: async (argv, ctx) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65_535) {
      throw new CliError(
        'BAD_PORT',
        ExitCode.USAGE,
        `--port must be an integer from 0 to 65535, got ${argv.port}`,
      );
    }
    const viewer = await startArchiveViewer({
      dir: argv.dir,
      host: argv.host,
      port: argv.port,
      onError: (err) => ctx.output.error(`could not serve a page: ${(err as Error).message}`),
    });
    ctx.output.notice(
      `serving the archive ${resolve(argv.dir)} at ${viewer.url} (read-only; Ctrl-C to stop)`,
    );
    try {
      await waitForAbort(ctx.signal);
    } finally {
      await viewer.close();
    }
    return ExitCode.OK;
  },
};
