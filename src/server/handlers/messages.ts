import {
  type BroadcastFrame,
  type DirectSendFrame,
  encode,
  frames,
  type QueryUserFrame,
  type SendMessageFrame,
} from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { ServerSession } from '../session.js';

const TRUSTED = { trusted: true } as const;

function post(room: string, from: string, text: string): Buffer {
  // Room, sender and text all passed the decoder's checks (or the registry's), so the
  // POST is encoded once, unchecked, and the same Buffer goes to every member.
  return encode(frames.post(room, from, text), TRUSTED);
}

/**
 * Hands a POST to the other nodes; a sender whose room another node holds (or whose node
 * is a window ahead of another) is not read again until the room flows.
 */
function publish(ctx: ServerContext, room: string, bytes: Buffer, sender?: ServerSession): void {
  const { cluster } = ctx;
  if (cluster !== null && !cluster.publishPost(room, bytes) && sender !== undefined) {
    ctx.waitForCluster(sender, room);
  }
}

/**
 * SEND_MESSAGE: a POST to every member of the room, sender included, with the sender filled
 * in from the registration (§5.9). A post to a room the sender is not in is dropped unless
 * `allowOutsidePosts` (§5.4); a post to a room that does not exist is always dropped.
 */
export function sendMessage(
  ctx: ServerContext,
  session: ServerSession,
  frame: SendMessageFrame,
): void {
  const members = ctx.registry.members(frame.room);
  const outside = !session.rooms.has(frame.room);
  // In a cluster the room may have members on other nodes only: every node follows the
  // posts, so an outside post goes out even when this node has none of them.
  if (
    (outside && !ctx.options.allowOutsidePosts) ||
    (members === undefined && ctx.cluster === null)
  ) {
    if (ctx.log.enabled('debug')) {
      const why = members === undefined ? 'no such room' : 'sender is not a member';
      ctx.log.debug(`post dropped: ${why}`, { room: frame.room, name: session.name });
    }
    return;
  }
  const bytes = post(frame.room, session.name, frame.text);
  if (members !== undefined) {
    ctx.listings.beforePost(frame.room, session);
    ctx.posts.add(members, bytes, undefined, session);
  }
  publish(ctx, frame.room, bytes, session);
}

/** BROADCAST_MESSAGE (either layout): one POST per room the sender is in (§6.5.1). */
export function broadcast(ctx: ServerContext, session: ServerSession, frame: BroadcastFrame): void {
  for (const room of session.rooms) {
    const members = ctx.registry.members(room);
    if (members === undefined) continue;
    ctx.listings.beforePost(room, session);
    const bytes = post(room, session.name, frame.text);
    ctx.posts.add(members, bytes, undefined, session);
    publish(ctx, room, bytes, session);
  }
}

/**
 * DIRECT_MESSAGE: forwarded with the peer field set to the sender. To an offline user, the
 * sender gets QUERY_USER with status 0 instead (§5.5). A message to oneself is delivered.
 */
export function directMessage(
  ctx: ServerContext,
  session: ServerSession,
  frame: DirectSendFrame,
): void {
  const target = ctx.registry.user(frame.to);
  if (target !== undefined) {
    target.send(frames.directFrom(session.name, frame.text));
    return;
  }
  const { cluster } = ctx;
  if (cluster === null) {
    session.send(frames.queryUser(frame.to, 0));
    return;
  }
  ctx.hold(session, cluster.locate(frame.to), (node) => {
    if (node === null || node === 'down') {
      session.send(frames.queryUser(frame.to, 0));
      return;
    }
    const bytes = encode(frames.directFrom(session.name, frame.text), { trusted: true });
    if (node === cluster.nodeId) ctx.registry.user(frame.to)?.sendRaw(bytes);
    else cluster.sendDirect(node, frame.to, bytes);
  });
}

/** QUERY_USER: answers 1 (online) or 0 (offline), whatever status byte the client sent. */
export function queryUser(ctx: ServerContext, session: ServerSession, frame: QueryUserFrame): void {
  const { cluster } = ctx;
  if (cluster === null || ctx.registry.user(frame.name) !== undefined) {
    session.send(frames.queryUser(frame.name, ctx.registry.user(frame.name) ? 1 : 0));
    return;
  }
  ctx.hold(session, cluster.locate(frame.name), (node) => {
    session.send(frames.queryUser(frame.name, typeof node === 'string' && node !== 'down' ? 1 : 0));
  });
}

/**
 * CLIENT_DEPARTS: a non-empty farewell goes to each of the client's rooms as a POST from it
 * (to the members staying), then the client leaves everything and is closed (§5.7).
 */
export function depart(ctx: ServerContext, session: ServerSession, farewell: string): void {
  if (farewell !== '') {
    for (const room of session.rooms) {
      const members = ctx.registry.members(room);
      if (members === undefined) continue;
      ctx.listings.beforePost(room, session);
      const bytes = post(room, session.name, farewell);
      ctx.posts.add(members, bytes, session);
      // The sender is leaving: nothing to hold.
      publish(ctx, room, bytes);
    }
  }
  ctx.finish(
    session,
    farewell === '' ? 'client departed' : `client departed: ${farewell}`,
    'departs',
  );
}
