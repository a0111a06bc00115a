import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CliCommand, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { asOption } from '../options.js';
import { createProgress, formatBytes } from '../progress.js';
import { withClient } from '../session.js';

interface SendArgs extends GlobalOptions {
  user: string;
  file: string;
  as: string;
  name: string | undefined;
}

/** `relaykit send <user> <file>`: offers a file and sends it once accepted. */
export const sendCommand: CliCommand<SendArgs> = {
  command: 'send <user> <file>',
  describe: 'Send a file to a user (who runs `relaykit receive`)',
  builder: (y) =>
    asOption(y, 'send')
      .positional('user', { type: 'string', demandOption: true, describe: 'Who gets the file' })
      .positional('file', { type: 'string', demandOption: true, describe: 'The file to send' })
      .option('name', {
        type: 'string',
        requiresArg: true,
        describe: 'Offer it under this file name (default: its base name)',
      })
      .example('$0 send bob ./report.pdf --as alice', 'bob sees an offer of report.pdf from alice')
      .example('$0 send bob ./build.tar.gz --name latest.tar.gz', 'offer it under another name'),
  run: async (argv, ctx) => {
    const info = await stat(argv.file).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(
        'FILE_NOT_FOUND',
        ExitCode.USAGE,
        `Cannot read ${argv.file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`,
        { cause: err },
      );
    });
    if (!info.isFile()) {
      throw new CliError('NOT_A_FILE', ExitCode.USAGE, `${argv.file} is not a regular file.`);
    }
    const fileName = argv.name ?? basename(argv.file);
    return withClient(
      ctx,
      { server: argv.server, name: argv.as, oneShot: true },
      async ({ client }) => {
        const { output } = ctx;
        const spinner = output.spinner(`Waiting for ${argv.user} to accept ${fileName}…`).start();
        const progress = createProgress(output);
        const transfer = client.sendFile(argv.user, argv.file, { name: fileName });
        let accepted = false; // progress comes only once the receiver accepted
        transfer.on('progress', (p) => {
          accepted = true;
          spinner.stop();
          progress.update({ fileName, ...p });
        });
        const onAbort = (): void => transfer.cancel();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const result = await transfer.done;
          progress.clear();
          spinner.stop();
          output.notice(
            `sent ${fileName} to ${argv.user}: ${formatBytes(result.bytes)}, sha256 ${result.sha256}`,
          );
          return ExitCode.OK;
        } catch (err) {
          // A REJECT_FILE after the ACCEPT is not a refusal: the receiver took the file and then
          // stopped (cancelled, or could not store it), so the transfer failed midway (exit 5).
          if (accepted && (err as { code?: string }).code === 'REJECTED') {
            throw new CliError(
              'TRANSFER_FAILED',
              ExitCode.TRANSFER_FAILED,
              `${argv.user} accepted ${fileName} but stopped receiving it after ${formatBytes(transfer.bytes)} of ${formatBytes(info.size)} (cancelled, or their disk failed); nothing was stored. Ask them, then send it again.`,
              { cause: err },
            );
          }
          throw err;
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
          progress.clear();
          spinner.stop();
        }
      },
    );
  },
};
