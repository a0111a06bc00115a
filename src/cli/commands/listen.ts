import type { ChalkInstance } from 'chalk';
import type { CliCommand, GlobalOptions } from '../command.js';
import { asOption, jsonOption, whenMissing } from '../options.js';
import { withClient } from '../session.js';
import { untilStopped } from '../until-stopped.js';
import { roomName } from '../../room-notation.js';

interface ListenArgs extends GlobalOptions {
  rooms: string[];
  as: string;
  json: boolean;
}

/** One line of `listen --json`. */
export type ListenRecord =
  | { ts: string; type: 'post'; room: string; from: string; text: string }
  | { ts: string; type: 'join' | 'leave'; room: string; from: string }
  | { ts: string; type: 'direct'; from: string; text: string };

const NICK_COLOURS = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const;

function nick(c: ChalkInstance, name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return c[NICK_COLOURS[hash % NICK_COLOURS.length]!](name);
}

// The protocol allows C1 controls (U+0080–U+009F) in names and text; some terminals act on
// them (U+009B is an 8-bit CSI), so the text form shows them as U+FFFD. --json keeps them.
const C1 = /[\u0080-\u009f]/g;
const shown = (text: string): string => text.replace(C1, '\uFFFD');

/** The text form of a record: `[13:05:09] #ops <alice> hi`. */
export function formatRecord(raw: ListenRecord, c: ChalkInstance): string {
  const record = {
    ...raw,
    from: shown(raw.from),
    ...('room' in raw ? { room: shown(raw.room) } : {}),
    ...('text' in raw ? { text: shown(raw.text) } : {}),
  } as ListenRecord;
  const time = c.dim(`[${record.ts.slice(11, 19)}]`);
  switch (record.type) {
    case 'post':
      return `${time} ${c.bold(`#${record.room}`)} <${nick(c, record.from)}> ${record.text}`;
    case 'direct':
      return `${time} ${c.bold('(direct)')} <${nick(c, record.from)}> ${record.text}`;
    default:
      return `${time} ${c.bold(`#${record.room}`)} ${c.dim(`*** ${record.from} ${record.type === 'join' ? 'joined' : 'left'}`)}`;
  }
}

/** `relaykit listen <room...>`: prints each room's traffic until Ctrl-C. */
export const listenCommand: CliCommand<ListenArgs> = {
  command: 'listen <rooms..>',
  describe: "Print rooms' traffic (posts, joins, leaves, direct messages) until Ctrl-C",
  builder: (y) =>
    jsonOption(
      whenMissing(
        asOption(y, 'listen'),
        'Name a room to listen to: relaykit listen <room> [more rooms], e.g. relaykit listen ops',
      ),
    )
      .positional('rooms', {
        type: 'string',
        array: true,
        demandOption: true,
        default: undefined,
        coerce: (rooms: (string | undefined)[] | undefined) =>
          rooms?.map((r) => (typeof r === 'string' ? roomName(r) : r)) as string[],
        describe: 'Rooms to join (#ops and ops are the same room; ##ops is the room #ops)',
      })
      .example('$0 listen ops dev', 'coloured lines on a terminal')
      .example('$0 listen ops --server a:17734,b:17734', 'fail over between two nodes of one relay')
      .example(
        '$0 listen ops --json | jq -r "select(.type==\\"post\\") | .text"',
        'one JSON object per line: {ts,type,room,from,text}',
      ),
  run: (argv, ctx) =>
    withClient(
      ctx,
      { server: argv.server, name: argv.as, reconnect: true },
      async ({ client, target }) => {
        const { output } = ctx;
        const emit = (record: ListenRecord): void => {
          output.line(argv.json ? JSON.stringify(record) : formatRecord(record, output.out));
        };
        const ts = (): string => new Date().toISOString();
        const rooms = new Set(argv.rooms);
        const ready = new Set<string>();
        client.onPost({ room: [...rooms] }, ({ room, from, text, self }) => {
          if (!self) emit({ ts: ts(), type: 'post', room, from, text });
        });
        client.onDirect(({ from, text }) => emit({ ts: ts(), type: 'direct', from, text }));
        client.on('members', ({ room, joined, left }) => {
          // The listing that answers our own join is a baseline, not news.
          if (!ready.has(room)) return;
          for (const from of joined)
            if (from !== client.name) emit({ ts: ts(), type: 'join', room, from });
          for (const from of left)
            if (from !== client.name) emit({ ts: ts(), type: 'leave', room, from });
        });
        for (const room of rooms) {
          await client.join(room);
          ready.add(room);
        }
        output.notice(
          `listening to ${[...rooms].map((r) => `#${r}`).join(' ')} on ${target.label} as ${client.name} (Ctrl-C to stop)`,
        );
        return untilStopped(ctx, client, target.label);
      },
    ),
};
