import type { CompiledTrigger, TriggerCompileContext } from '../define.js';
import { list } from '../schema-parts.js';
import { suggest } from '../suggest.js';
import { roomName } from '../../room-notation.js';

/** The filters a message trigger may have, as written. */
export interface FilterSpec {
  room?: string | string[];
  from?: string | string[];
  match?: string;
}

/** Compiled filters: what the SDK's `onPost`/`onDirect`/`onOffer` filters take. */
export interface Filters {
  rooms?: string[];
  from?: string[];
  match?: RegExp;
}

/**
 * Checks a trigger's filters (rooms the bot joins, a valid regex) and compiles them for the
 * SDK's handlers, which are the only filter engine. `needsRooms`: the trigger only sees
 * events in the bot's rooms, so a bot without rooms would never fire it.
 */
export function compileFilters(
  name: string,
  spec: FilterSpec | null,
  ctx: TriggerCompileContext,
  needsRooms = false,
): CompiledTrigger<Filters> {
  const filters = spec ?? {};
  const rooms = list(filters.room)?.map(roomName);
  const from = list(filters.from);
  const plan: Filters = {};
  const out: CompiledTrigger<Filters> = { plan, summary: name };
  if (rooms) {
    plan.rooms = out.rooms = rooms;
    const joined = ctx.botRooms;
    rooms.forEach((room, i) => {
      if (joined === undefined || joined.includes(room)) return;
      ctx.problem(
        'RECIPE_ROOM_NOT_JOINED',
        `the bot never joins \`${room}\`; add it to \`rooms\``,
        Array.isArray(filters.room) ? [...ctx.path, 'room', i] : [...ctx.path, 'room'],
        suggest(room, joined),
      );
    });
  } else if (needsRooms && ctx.botRooms?.length === 0) {
    ctx.problem(
      'RECIPE_NO_ROOMS',
      `a \`${name}\` trigger needs the bot to join rooms; add \`rooms\` to the bot`,
    );
  }
  if (from) plan.from = out.from = from;
  const pattern = ctx.pattern(filters.match, [...ctx.path, 'match']);
  if (pattern) {
    out.pattern = pattern;
    plan.match = pattern.regex;
  }
  const parts = [name];
  if (rooms) parts.push(`in ${rooms.join(', ')}`);
  if (from) parts.push(`from ${from.join(', ')}`);
  if (filters.match !== undefined) parts.push(`matching ${filters.match}`);
  out.summary = parts.join(' ');
  return out;
}

/** The SDK filter object for compiled filters (keys left out when absent). */
export function sdkFilter(plan: Filters, keys: readonly ('room' | 'from' | 'match')[]) {
  return {
    ...(keys.includes('room') && plan.rooms ? { room: plan.rooms } : {}),
    ...(keys.includes('from') && plan.from ? { from: plan.from } : {}),
    ...(keys.includes('match') && plan.match ? { match: plan.match } : {}),
  };
}
