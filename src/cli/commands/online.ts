import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { asOption, jsonOption } from '../options.js';
import { withClient } from '../session.js';

interface OnlineArgs extends GlobalOptions {
  user: string;
  as: string;
  json: boolean;
}

/** `relaykit online <user>`: exit 0 when the user is online, 4 when not (like `grep`). */
export const onlineCommand: CliCommand<OnlineArgs> = {
  command: 'online <user>',
  describe: 'Tell whether a user is online (exit 0 if so, 4 if not)',
  builder: (y) =>
    jsonOption(asOption(y, 'online'))
      .positional('user', { type: 'string', demandOption: true, describe: 'The user name' })
      .example('$0 online alice && echo here', 'exit status answers the question')
      .example('$0 online alice --json', '{"name":"alice","online":true}'),
  run: (argv, ctx) =>
    withClient(ctx, { server: argv.server, name: argv.as, oneShot: true }, async ({ client }) => {
      const online = await client.isOnline(argv.user);
      if (argv.json) ctx.output.line(JSON.stringify({ name: argv.user, online }));
      else ctx.output.line(`${argv.user} is ${online ? 'online' : 'offline'}`);
      return online ? ExitCode.OK : ExitCode.NOT_DELIVERED;
    }),
};
