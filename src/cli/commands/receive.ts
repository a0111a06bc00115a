import { resolve } from 'node:path';
import { fileSink } from '../../../bots/index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { asOption } from '../options.js';
import { createProgress, formatBytes } from '../progress.js';
import { withClient } from '../session.js';
import { parseSizeOption } from '../size.js';
import { untilStopped } from '../until-stopped.js';
import { checkWritableDirectory } from '../writable-directory.js';

interface ReceiveArgs extends GlobalOptions {
  dir: string;
  as: string;
  'max-size': number | undefined;
  from: string[] | undefined;
  count: number | undefined;
  conflict: 'rename' | 'overwrite' | 'fail';
}

/** `relaykit receive --dir <path>`: accepts offered files into a directory until Ctrl-C. */
export const receiveCommand: CliCommand<ReceiveArgs> = {
  command: 'receive',
  describe: 'Accept files sent to you (`relaykit send`) into a directory, until Ctrl-C',
  builder: (y) =>
    asOption(y, 'receive')
      .option('dir', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'Where received files go (created if missing)',
      })
      .option('max-size', {
        type: 'string',
        requiresArg: true,
        coerce: (v: string | undefined) => (v === undefined ? undefined : parseSizeOption(v)),
        describe: 'Reject offers larger than this (bytes, 10MB = 10^7, 10MiB or 10M = 10×2^20)',
      })
      .option('from', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'Accept offers only from these users',
      })
      .option('count', {
        type: 'number',
        requiresArg: true,
        describe: 'Exit after receiving this many files',
      })
      .option('conflict', {
        choices: ['rename', 'overwrite', 'fail'] as const,
        default: 'rename' as const,
        describe: 'When the file exists: keep both (a (1).txt), overwrite, or refuse',
      })
      .check((argv) => {
        if (argv.count !== undefined && !(Number.isInteger(argv.count) && argv.count > 0)) {
          throw new Error('--count must be a positive whole number');
        }
        return true;
      })
      .example(
        '$0 receive --dir ./incoming --as bob',
        'then, elsewhere: relaykit send bob file.txt',
      )
      .example(
        '$0 receive --dir ./in --as bob --from alice --max-size 10M --count 1',
        'one file from alice, at most 10 MiB, then exit',
      ),
  run: (argv, ctx) => {
    checkWritableDirectory(argv.dir, '--dir'); // before anything connects or starts
    return withClient(
      ctx,
      { server: argv.server, name: argv.as, reconnect: argv.count === undefined },
      async ({ client, target }) => {
        const { output } = ctx;
        const progress = createProgress(output);
        let received = 0;
        let finish: ((code: number) => void) | undefined;
        const enough = new Promise<number>((done) => {
          finish = done;
        });
        const offProgress = client.on('transfer', (event) => {
          if (event.direction === 'in' && event.state === 'progress') progress.update(event);
        });
        const sink = await fileSink(client, {
          dir: argv.dir,
          conflict: argv.conflict,
          ...(argv.maxSize === undefined ? {} : { maxSize: argv.maxSize }),
          ...(argv.from === undefined ? {} : { from: argv.from }),
          onReceived: (file) => {
            progress.clear();
            received += 1;
            output.notice(
              `received ${file.path} from ${file.from}: ${formatBytes(file.bytes)}${file.sha256 ? `, sha256 ${file.sha256}` : ''}`,
            );
            if (argv.count !== undefined && received >= argv.count) finish?.(ExitCode.OK);
          },
          onRejected: ({ from, fileName, size, reason }) => {
            const why =
              reason === 'sender'
                ? `${from} is not in --from`
                : reason === 'size'
                  ? `${formatBytes(size)} is over --max-size`
                  : reason === 'exists'
                    ? `${fileName} already exists in --dir (--conflict fail)`
                    : 'its name does not match';
            output.notice(`rejected ${fileName} from ${from}: ${why}`);
          },
          onSwept: (names) => {
            output.notice(
              `removed ${names.length} partial file(s) left in ${resolve(argv.dir)} by a receiver that died: ${names.join(', ')}`,
            );
          },
          onError: (err, offer) => {
            progress.clear();
            output.error(
              `receiving ${offer.fileName} from ${offer.from} failed: ${(err as Error).message}`,
            );
          },
        });
        output.notice(
          `receiving files as ${client.name} on ${target.label} into ${resolve(argv.dir)} (Ctrl-C to stop); send with: relaykit send ${client.name} <file>`,
        );
        let cancel = false;
        try {
          const code = await Promise.race([untilStopped(ctx, client, target.label), enough]);
          if (!ctx.signal.aborted) return code;
          // Stopped by Ctrl-C or SIGTERM: every command stops within 2 s, so a file still
          // arriving is given up, and its partial file deleted, rather than finished.
          const unfinished = sink.receiving();
          if (unfinished.length === 0) return code;
          progress.clear();
          for (const f of unfinished) {
            output.notice(
              `interrupted: ${f.fileName} from ${f.from} stopped at ${formatBytes(f.bytes)} of ${formatBytes(f.size)}; cancelled, and its partial file deleted`,
            );
          }
          cancel = true;
          return ExitCode.INTERRUPTED;
        } finally {
          offProgress();
          progress.clear();
          await sink.stop({ cancel });
        }
      },
    );
  },
};
