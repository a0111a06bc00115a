import { encode, ErrorCode, frames } from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { Registry } from '../registry.js';
import type { ServerSession } from '../session.js';

/**
 * ENTER_ROOM: join (creating the room if need be); every member gets the new list, coalesced
 * in big rooms (src/server/listings.ts). Joining a room you are already in sends its listing
 * to you alone, as an acknowledgement (§5.2).
 */
export function enterRoom(ctx: ServerContext, session: ServerSession, room: string): void {
  const { cluster } = ctx;
  if (cluster !== null && !session.rooms.has(room)) {
    // The room limit and the join order are the cluster's: Redis decides, then the join
    // happens here.
    ctx.hold(
      session,
      cluster.join(room, session.name),
      (got) => {
        if (got === 'full') tooManyRooms(ctx, session, room);
        else joinHere(ctx, session, room);
      },
      (got) => {
        if (got === 'joined' || got === 'local') cluster.leave(room, session.name);
      },
    );
    return;
  }
  joinHere(ctx, session, room);
}

function tooManyRooms(ctx: ServerContext, session: ServerSession, room: string): void {
  ctx.fail(
    session,
    ErrorCode.TOO_MANY_ROOMS,
    `room limit of ${ctx.options.maxRooms} reached; cannot create '${room}'`,
  );
}

function joinHere(ctx: ServerContext, session: ServerSession, room: string): void {
  // Posts batched so far go to the members as they were (PostBatch keeps a room's targets).
  ctx.posts.flush();
  const result = ctx.registry.join(session, room);
  if (result === 'too-many-rooms') {
    tooManyRooms(ctx, session, room);
    return;
  }
  if (result === 'already-member') {
    ctx.listings.acknowledge(room, session);
    return;
  }
  const members = ctx.registry.members(room)!;
  if (ctx.log.enabled('info')) {
    ctx.log.info(members.size === 1 ? 'room created' : 'room joined', {
      room,
      name: session.name,
      members: members.size,
    });
  }
  ctx.listings.entered(room, session);
}

/** LEAVE_ROOM: leave and tell the remaining members; ignored when not a member (§6.4.1). */
export function leaveRoom(ctx: ServerContext, session: ServerSession, room: string): void {
  if (!session.rooms.has(room)) {
    ctx.log.debug('leave ignored: not a member', { room, name: session.name });
    return;
  }
  ctx.posts.flush();
  ctx.listings.leaving(room, session);
  const remaining = ctx.registry.leave(session, room)!;
  ctx.cluster?.leave(room, session.name);
  ctx.listings.left(room);
  if (ctx.log.enabled('info')) {
    ctx.log.info(remaining.size === 0 ? 'room deleted' : 'room left', {
      room,
      name: session.name,
      members: remaining.size,
    });
  }
}

/** Takes `session` out of every room it is in, as on departure. */
export function leaveAllRooms(ctx: ServerContext, session: ServerSession): void {
  for (const room of [...session.rooms]) leaveRoom(ctx, session, room);
}

const listingCache = new WeakMap<Registry<ServerSession>, { version: number; bytes: Buffer }>();

/** LIST_ROOMS: one ROOM_LISTING of every room, sorted by name, re-encoded only on change. */
export function listRooms(ctx: ServerContext, session: ServerSession): void {
  if (ctx.cluster !== null) {
    ctx.hold(session, ctx.cluster.listRooms(), (rooms) => {
      // While Redis is away, this node's own rooms are all it can tell.
      session.send(frames.roomListing(rooms ?? [...ctx.registry.roomNames()]));
    });
    return;
  }
  const { registry } = ctx;
  let cached = listingCache.get(registry);
  if (cached === undefined || cached.version !== registry.roomsVersion) {
    const bytes = encode(frames.roomListing([...registry.roomNames()]), { trusted: true });
    cached = { version: registry.roomsVersion, bytes };
    listingCache.set(registry, cached);
  }
  session.sendRaw(cached.bytes);
}
