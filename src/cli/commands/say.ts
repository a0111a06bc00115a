import { pipeline } from 'node:stream/promises';
import { sanitizeLine, sanitizeText } from '../../protocol/index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { splitLineBatches } from '../lines.js';
import { withClient } from '../session.js';
import { reportReconnects } from '../until-stopped.js';
import { roomName } from '../../room-notation.js';

/** say() calls handed to the client before the oldest must have been written. */
const MAX_IN_FLIGHT = 64;
/** Lines of stdin sent by one say() call (each still its own message). */
const LINES_PER_POST = 32;

interface SayArgs extends GlobalOptions {
  room: string | undefined;
  text: string | undefined;
  as: string;
  direct: string | undefined;
  farewell: string | undefined;
}

/**
 * `relaykit say <room> [text]`: posts text, or every line of stdin. Lines are cleaned of
 * terminal escapes and control characters, blank lines are skipped, long lines split; stdin
 * is read only as fast as the server takes it, and the command exits once all is flushed.
 */
export const sayCommand: CliCommand<SayArgs> = {
  command: 'say [room] [text]',
  describe: 'Post text (or each line of stdin) to a room, or to a user with --direct',
  builder: (y) =>
    y
      .positional('room', {
        type: 'string',
        describe: 'The room to post to (#ops and ops are the same room; ##ops is the room #ops)',
      })
      .positional('text', { type: 'string', describe: 'The text; without it, stdin is read' })
      .option('as', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'The user name to post as',
      })
      .option('direct', {
        type: 'string',
        requiresArg: true,
        describe: 'Send to this user instead of a room (then the first argument is the text)',
      })
      .option('farewell', {
        type: 'string',
        requiresArg: true,
        describe: 'Post this farewell in the room on the way out (default: leave quietly)',
      })
      .check((argv) => {
        if (argv.direct === undefined && argv.room === undefined) {
          throw new Error(
            'Name a room (relaykit say <room> [text]) or a user with --direct <user>',
          );
        }
        if (argv.direct !== undefined && argv.text !== undefined) {
          throw new Error('With --direct, give only the text: relaykit say --direct bob "hi"');
        }
        return true;
      })
      .example('$0 say ops "deploy done" --as deploybot', 'post one message')
      .example('tail -f app.log | $0 say ops --as logbot', 'post every line as it comes')
      .example('$0 say --direct alice "your build is green" --as ci', 'a direct message'),
  run: async (argv, ctx) => {
    const direct = argv.direct;
    const room = direct === undefined ? roomName(argv.room!) : undefined;
    const text = direct === undefined ? argv.text : argv.room;
    return withClient(
      ctx,
      {
        server: argv.server,
        name: argv.as,
        oneShot: true,
        reconnect: text === undefined,
        ...(argv.farewell === undefined ? {} : { farewell: argv.farewell }),
      },
      async ({ client }) => {
        if (room !== undefined) await client.join(room);
        // The SDK splits long or multi-line text into messages; the CLI only cleans it.
        const post = async (clean: string): Promise<void> => {
          if (room !== undefined) return client.say(room, clean);
          const { delivered } = await client.direct(direct!, clean);
          if (!delivered) {
            throw new CliError(
              'NOT_DELIVERED',
              ExitCode.NOT_DELIVERED,
              `${direct} is offline, so the message was not delivered. Check the name with \`relaykit online ${direct}\`.`,
            );
          }
        };
        if (text !== undefined) {
          const clean = sanitizeText(text);
          if (clean.trim() === '') {
            throw new CliError('EMPTY_TEXT', ExitCode.USAGE, 'Nothing to send: the text is blank.');
          }
          await post(clean);
          // The echo is the server's only acknowledgement: exit 0 means it took every line.
          await client.acknowledged();
          return ExitCode.OK;
        }
        const stdin = process.stdin;
        if (stdin.isTTY) ctx.output.notice('type one message per line; Ctrl-D to finish');
        // Reading stdin may last hours: a lost server is retried, and the user told so.
        const stopReporting = reportReconnects(ctx, client);
        try {
          await pipeline(
            stdin,
            splitLineBatches,
            async (batches: AsyncIterable<string[]>) => {
              // Many posts in flight let the client send a burst in few writes; the SDK's
              // post window (unacknowledged echoes per room) paces them to the server.
              const inFlight: Promise<void>[] = [];
              const queue = (posted: Promise<void>): Promise<void> | undefined => {
                posted.catch(() => {}); // awaited below, in order
                inFlight.push(posted);
                return inFlight.length >= MAX_IN_FLIGHT ? inFlight.shift() : undefined;
              };
              for await (const batch of batches) {
                const clean = batch
                  .map((line) => sanitizeLine(line))
                  .filter((line) => line.trim() !== '');
                if (room === undefined) {
                  for (const line of clean) await queue(post(line));
                  continue;
                }
                // One say() per group of lines: one outbox job, one promise, one write.
                for (let i = 0; i < clean.length; i += LINES_PER_POST) {
                  await queue(post(clean.slice(i, i + LINES_PER_POST).join('\n')));
                }
              }
              for (const posted of inFlight) await posted;
              await client.acknowledged();
            },
            { signal: ctx.signal },
          );
        } catch (err) {
          if (ctx.signal.aborted) {
            ctx.output.notice('interrupted; the lines read so far were sent');
            return ExitCode.INTERRUPTED;
          }
          throw err;
        } finally {
          stopReporting();
        }
        return ExitCode.OK;
      },
    );
  },
};
