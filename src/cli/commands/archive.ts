import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { archiveRooms } from '../../../bots/index.js';
import { ensureDirectory } from '../../index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { archiveHtmlCommand } from './archive-html.js';
import { archiveWebCommand } from './archive-web.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { reopenOnHangup } from '../hangup.js';
import { whenMissing, asOption } from '../options.js';
import { withClient } from '../session.js';
import { untilStopped } from '../until-stopped.js';
import { roomName } from '../../room-notation.js';

interface ArchiveArgs extends GlobalOptions {
  rooms: string[];
  dir: string;
  as: string;
}

/** `relaykit archive <room...> --dir <path>`: writes room archives until Ctrl-C. */
export const archiveCommand: CliCommand<ArchiveArgs> = {
  command: 'archive <rooms..>',
  describe: 'Write rooms to per-day archive files (JSON lines + IRC-style log) until Ctrl-C',
  subcommands: [archiveWebCommand, archiveHtmlCommand],
  builder: (y) => {
    const built = whenMissing(
      asOption(y, 'archiver'),
      'Name a room to archive: relaykit archive <room> [more rooms] --dir <path>',
    )
      .positional('rooms', {
        type: 'string',
        array: true,
        demandOption: true,
        default: undefined,
        coerce: (rooms: (string | undefined)[] | undefined) =>
          rooms?.map((r) => (typeof r === 'string' ? roomName(r) : r)) as string[],
        describe: 'Rooms to archive (#ops and ops are the same room; ##ops is the room #ops)',
      })
      .option('dir', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'Archive root: files go to <dir>/<host>_<port>/<room>/YYYY-MM-DD.{jsonl,log}',
      })
      .example(
        '$0 archive ops dev --dir /var/log/relay',
        'kill -HUP <pid> reopens the files (logrotate)',
      )
      .example('tail -f /var/log/relay/127.0.0.1_17734/ops/$(date -u +%F).log', 'follow the log')
      .example('$0 archive web --dir /var/log/relay', 'read them in a browser')
      // A room name is not a mistyped subcommand; unknown options are still refused.
      .strictCommands(false)
      .strictOptions();
    // @types/yargs lacks the boolean forms yargs accepts. Options are global by default: keep
    // these out of `archive web` and `archive html`; and `archive ops` must not be answered
    // with "Did you mean web?".
    const loose = built as unknown as {
      global(keys: string[], global: boolean): unknown;
      recommendCommands(enabled: boolean): unknown;
    };
    loose.global(['rooms', 'as', 'dir'], false);
    loose.recommendCommands(false);
    return built;
  },
  run: (argv, ctx) => {
    // Fail before connecting when the archive cannot be written at all.
    try {
      ensureDirectory(argv.dir);
      accessSync(argv.dir, constants.W_OK);
    } catch (err) {
      throw new CliError(
        'ARCHIVE_DIR',
        ExitCode.USAGE,
        `Cannot write archives to ${argv.dir}: ${(err as Error).message}. Pick a writable --dir.`,
        { cause: err },
      );
    }
    return withClient(
      ctx,
      { server: argv.server, name: argv.as, reconnect: true },
      async ({ client, target }) => {
        const archive = await archiveRooms(client, {
          dir: argv.dir,
          rooms: argv.rooms,
          server: { host: target.host, port: target.port },
          onError: (err) =>
            ctx.output.error(`could not write the archive: ${(err as Error).message}`),
        });
        const off = reopenOnHangup(
          () => {
            ctx.output.notice('SIGHUP: reopening the archive files');
            archive.reopen();
          },
          (err) => ctx.output.error(`could not reopen the archive: ${(err as Error).message}`),
        );
        ctx.output.notice(
          `archiving ${argv.rooms.map((r) => `#${r}`).join(' ')} into ${resolve(archive.writer.serverDir)} (Ctrl-C to stop, SIGHUP reopens)`,
        );
        try {
          return await untilStopped(ctx, client, target.label);
        } finally {
          off();
          await archive.stop();
        }
      },
    );
  },
};
