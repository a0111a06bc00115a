import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { asOption, jsonOption } from '../options.js';
import { roomText } from '../../room-notation.js';
import { withClient } from '../session.js';

interface RoomsArgs extends GlobalOptions {
  as: string;
  json: boolean;
}

/** `relaykit rooms`: lists the rooms that have members, one per line (or `{"rooms":[…]}`). */
export const roomsCommand: CliCommand<RoomsArgs> = {
  command: 'rooms',
  describe: 'List the rooms on the server',
  builder: (y) =>
    jsonOption(asOption(y, 'rooms'))
      .example('$0 rooms --server chat.example.org:17734', 'one room per line')
      .example('$0 rooms --json | jq -r ".rooms[]"', 'machine output: {"rooms":["ops",…]}'),
  run: (argv, ctx) =>
    withClient(ctx, { server: argv.server, name: argv.as, oneShot: true }, async ({ client }) => {
      const rooms = await client.rooms();
      if (argv.json) ctx.output.line(JSON.stringify({ rooms }));
      else if (rooms.length === 0)
        ctx.output.notice('no rooms (a room exists while it has members)');
      // As the CLI reads rooms: a line can go back to `who` or `say` and name the same room.
      else for (const room of rooms) ctx.output.line(roomText(room));
      return ExitCode.OK;
    }),
};
