import { fileServer } from '../../../bots/index.js';
import { roomName } from '../../room-notation.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { withClient } from '../session.js';
import { parseSizeOption } from '../size.js';
import { untilStopped } from '../until-stopped.js';

interface ServeFilesArgs extends GlobalOptions {
  dir: string;
  as: string;
  upload: boolean;
  'max-upload': number;
  quota: number;
  from: string[] | undefined;
  announce: string | undefined;
}

/** How long a stop waits for answers in flight before the client closes anyway. */
const STOP_WAIT_MS = 1_000;

/** `relaykit serve-files DIR`: the file server bot, until Ctrl-C. */
export const serveFilesCommand: CliCommand<ServeFilesArgs> = {
  command: 'serve-files <dir>',
  describe: 'Serve a folder by direct message (help, ls, find, info, get, uploads) until Ctrl-C',
  builder: (y) =>
    y
      .positional('dir', {
        type: 'string',
        demandOption: true,
        describe: 'The folder to serve (created if missing); nothing outside it is served',
      })
      .option('as', {
        type: 'string',
        default: 'files',
        requiresArg: true,
        describe: 'The user name people send commands to',
      })
      .option('upload', {
        type: 'boolean',
        default: false,
        describe: 'Take files offered to the bot, into DIR/uploads/<user>/',
      })
      .option('max-upload', {
        type: 'string',
        default: '100M',
        requiresArg: true,
        coerce: parseSizeOption,
        describe: 'Largest upload (bytes, or 512k, 10M, 1G)',
      })
      .option('quota', {
        type: 'string',
        default: '1G',
        requiresArg: true,
        coerce: parseSizeOption,
        describe: 'Bytes each user may keep in uploads',
      })
      .option('from', {
        type: 'string',
        array: true,
        requiresArg: true,
        coerce: (v: string[] | undefined) =>
          v
            ?.flatMap((x) => x.split(','))
            .map((x) => x.trim())
            .filter((x) => x !== ''),
        describe: 'Only these users may use it (a,b or repeated)',
      })
      .option('announce', {
        type: 'string',
        requiresArg: true,
        // `#lobby` is the room lobby, as in every command that takes a room.
        coerce: (v: string | undefined) => (v === undefined ? v : roomName(v)),
        describe: 'Post "new file: …" in this room for each upload (#room or room)',
      })
      .example('$0 serve-files ./shared', 'then DM "help" to files')
      .example(
        '$0 serve-files ./drop --upload --max-upload 10M --quota 100M --announce lobby',
        'take uploads and tell #lobby about them',
      ),
  run: (argv, ctx) =>
    withClient(
      ctx,
      { server: argv.server, name: argv.as, reconnect: true },
      async ({ client, target }) => {
        const { output } = ctx;
        const bot = await fileServer(client, {
          dir: argv.dir,
          upload: argv.upload,
          maxUploadSize: argv.maxUpload,
          quotaPerUser: argv.quota,
          ...(argv.from === undefined ? {} : { from: argv.from }),
          ...(argv.announce === undefined ? {} : { announce: argv.announce }),
          onEvent: (line) => output.notice(line),
          onError: (err) => output.error(`file server: ${(err as Error).message}`),
        });
        output.notice(
          `serving ${bot.dir} as ${client.name} on ${target.label}${argv.upload ? ' (uploads on)' : ''} (Ctrl-C to stop); people send it help by direct message`,
        );
        try {
          return await untilStopped(ctx, client, target.label);
        } finally {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            bot.stop(),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, STOP_WAIT_MS);
            }),
          ]);
          clearTimeout(timer);
        }
      },
    ),
};
