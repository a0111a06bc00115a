import { encode, ErrorCode, frames } from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { Registry } from '../registry.js';
import type { ServerSession } from '../session.js';

/** Sends one encoded frame to every member of a room. */
export function fanOut(
  members: Iterable<ServerSession>,
  bytes: Buffer,
  except?: ServerSession,
): void {
  for (const member of members) if (member !== except) member.sendRaw(bytes);
}

/**
 * The latest USER_LISTING of each room, encoded when its membership changed. A re-entry is
 * answered from here, so a client repeating ENTER_ROOM costs no O(members) encoding each time.
 * Keyed by the room's member set, which lives exactly as long as the room.
 */
const listings = new WeakMap<ReadonlySet<ServerSession>, Buffer>();

/** Encodes (and remembers) the listing of a room whose membership just changed. */
function userListing(room: string, members: ReadonlySet<ServerSession>): Buffer {
  const names: string[] = [];
  for (const m of members) names.push(m.name);
  const bytes = encode(frames.userListing(room, names), { trusted: true });
  listings.set(members, bytes);
  return bytes;
}

/**
 * ENTER_ROOM: join (creating the room if need be) and tell every member the new list. Joining
 * a room you are already in sends its listing to you alone, as an acknowledgement (§5.2).
 */
export function enterRoom(ctx: ServerContext, session: ServerSession, room: string): void {
  const result = ctx.registry.join(session, room);
  if (result === 'too-many-rooms') {
    ctx.fail(
      session,
      ErrorCode.TOO_MANY_ROOMS,
      `room limit of ${ctx.options.maxRooms} reached; cannot create '${room}'`,
    );
    return;
  }
  const members = ctx.registry.members(room)!;
  if (result === 'already-member') {
    session.sendRaw(listings.get(members) ?? userListing(room, members));
    return;
  }
  ctx.log.info(members.size === 1 ? 'room created' : 'room joined', {
    room,
    name: session.name,
    members: members.size,
  });
  fanOut(members, userListing(room, members));
}

/** LEAVE_ROOM: leave and tell the remaining members; ignored when not a member (§6.4.1). */
export function leaveRoom(ctx: ServerContext, session: ServerSession, room: string): void {
  const remaining = ctx.registry.leave(session, room);
  if (remaining === undefined) {
    ctx.log.debug('leave ignored: not a member', { room, name: session.name });
    return;
  }
  ctx.log.info(remaining.size === 0 ? 'room deleted' : 'room left', {
    room,
    name: session.name,
    members: remaining.size,
  });
  if (remaining.size > 0) fanOut(remaining, userListing(room, remaining));
  else listings.delete(remaining);
}

/** Takes `session` out of every room it is in, as on departure. */
export function leaveAllRooms(ctx: ServerContext, session: ServerSession): void {
  for (const room of [...session.rooms]) leaveRoom(ctx, session, room);
}

const listingCache = new WeakMap<Registry<ServerSession>, { version: number; bytes: Buffer }>();

/** LIST_ROOMS: one ROOM_LISTING of every room, sorted by name, re-encoded only on change. */
export function listRooms(ctx: ServerContext, session: ServerSession): void {
  const { registry } = ctx;
  let cached = listingCache.get(registry);
  if (cached === undefined || cached.version !== registry.roomsVersion) {
    const bytes = encode(frames.roomListing([...registry.roomNames()]), { trusted: true });
    cached = { version: registry.roomsVersion, bytes };
    listingCache.set(registry, cached);
  }
  session.sendRaw(cached.bytes);
}
