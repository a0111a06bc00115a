import { type ClientFrame, errorCodeName, Kind } from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { ServerSession } from '../session.js';
import { answerOffer, offerFile, relayChunk } from './files.js';
import { broadcast, depart, directMessage, queryUser, sendMessage } from './messages.js';
import { handleUnregistered } from './registration.js';
import { enterRoom, leaveRoom, listRooms } from './rooms.js';

/** Routes one decoded frame to its handler. O(1) apart from the fan-out it causes. */
export function dispatch(ctx: ServerContext, session: ServerSession, frame: ClientFrame): void {
  if (session.state === 'closed') return;
  if (session.held !== null) {
    session.held.push(frame);
    return;
  }
  if (session.state === 'pending') {
    handleUnregistered(ctx, session, frame);
    return;
  }
  switch (frame.kind) {
    case Kind.HEARTBEAT:
      return; // the Connection already noted the sign of life
    case Kind.NEW_CLIENT:
      ctx.log.debug('second NEW_CLIENT ignored', { name: session.name, asked: frame.name });
      return;
    case Kind.ERR:
      ctx.finish(session, `client sent ERR ${errorCodeName(frame.code)}`, 'closed');
      return;
    case Kind.ENTER_ROOM:
      enterRoom(ctx, session, frame.room);
      return;
    case Kind.LEAVE_ROOM:
      leaveRoom(ctx, session, frame.room);
      return;
    case Kind.LIST_ROOMS:
      listRooms(ctx, session);
      return;
    case Kind.QUERY_USER:
      queryUser(ctx, session, frame);
      return;
    case Kind.SEND_MESSAGE:
      sendMessage(ctx, session, frame);
      return;
    case Kind.BROADCAST_MESSAGE:
      broadcast(ctx, session, frame);
      return;
    case Kind.DIRECT_MESSAGE:
      directMessage(ctx, session, frame);
      return;
    case Kind.OFFER_FILE:
      offerFile(ctx, session, frame);
      return;
    case Kind.ACCEPT_FILE:
    case Kind.REJECT_FILE:
      answerOffer(ctx, session, frame);
      return;
    case Kind.FILE_TRANSFER:
      relayChunk(ctx, session, frame);
      return;
    case Kind.CLIENT_DEPARTS:
      depart(ctx, session, frame.farewell);
      return;
  }
}
