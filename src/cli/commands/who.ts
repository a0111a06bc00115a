import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { whenMissing, asOption, jsonOption } from '../options.js';
import { withClient } from '../session.js';
import { roomName } from '../../room-notation.js';

interface WhoArgs extends GlobalOptions {
  room: string;
  as: string;
  json: boolean;
}

/**
 * `relaykit who <room>`: lists a room's members. The protocol only lists members to members,
 * so it joins the room for a moment (others see it come and go) unless the room does not
 * exist, in which case it prints nothing rather than creating it.
 */
export const whoCommand: CliCommand<WhoArgs> = {
  command: 'who <room>',
  describe: "List a room's members",
  builder: (y) =>
    jsonOption(
      whenMissing(asOption(y, 'who'), 'Name the room: relaykit who <room>, e.g. relaykit who ops'),
    )
      .positional('room', {
        type: 'string',
        demandOption: true,
        coerce: (room: string | undefined) =>
          (room === undefined ? room : roomName(room)) as string,
        describe: 'The room (#ops and ops are the same room; ##ops is the room #ops)',
      })
      .example('$0 who ops', 'one member per line, in the order they joined')
      .example('$0 who ops --json', '{"room":"ops","members":["alice","bob"]}'),
  run: (argv, ctx) =>
    withClient(ctx, { server: argv.server, name: argv.as, oneShot: true }, async ({ client }) => {
      const rooms = await client.rooms();
      let members: string[] = [];
      if (rooms.includes(argv.room)) {
        members = (await client.join(argv.room)).filter((name) => name !== client.name);
        await client.leave(argv.room);
      }
      if (argv.json) ctx.output.line(JSON.stringify({ room: argv.room, members }));
      else if (members.length === 0) ctx.output.notice(`nobody is in ${argv.room}`);
      else for (const name of members) ctx.output.line(name);
      return ExitCode.OK;
    }),
};
