import { Kind, type ServerFrame } from '../protocol/index.js';
import type { TypedEmitter } from './emitter.js';
import type { ClientEvents } from './events.js';
import type { PostWindow } from './post-window.js';
import type { PresenceTracker } from './presence.js';
import type { RoomState } from './rooms.js';
import type { ClientSession } from './session.js';
import type { Transfers } from './transfers.js';

/** The state a received frame updates, and where its event goes. */
export interface DispatchTargets {
  self: string;
  rooms: RoomState;
  presence: PresenceTracker;
  transfers: Transfers;
  session: ClientSession;
  events: TypedEmitter<ClientEvents>;
  window: PostWindow;
}

/**
 * Routes one frame from the server (HEARTBEAT, ERR and SERVER_DEPARTS are the session's) to the
 * state it updates and the event it raises. Listings are welcome at any time, asked for or not.
 */
export function dispatchFrame(frame: ServerFrame, t: DispatchTargets): void {
  switch (frame.kind) {
    case Kind.POST_MESSAGE:
      // Our own post's echo is its acknowledgement, even in a room we have just left.
      if (frame.from === t.self) t.window.echo(frame.room, frame.text);
      // The draft: ignore posts to rooms we do not believe we are in.
      if (!t.rooms.joined.has(frame.room)) return;
      t.events.emit('post', {
        room: frame.room,
        from: frame.from,
        text: frame.text,
        self: frame.from === t.self,
      });
      return;
    case Kind.DIRECT_MESSAGE:
      t.events.emit('direct', { from: frame.from, text: frame.text });
      return;
    case Kind.USER_LISTING:
      t.events.emit('members', t.rooms.onUserListing(frame));
      return;
    case Kind.ROOM_LISTING:
      t.events.emit('rooms', { rooms: t.rooms.onRoomListing(frame) });
      return;
    case Kind.QUERY_USER: {
      // The answers to our own ordering barriers and checks are bookkeeping, not news.
      const answered = t.presence.onAnswer(frame);
      if (answered !== 'barrier' && answered !== 'quiet-query') {
        t.events.emit('presence', { name: frame.name, online: frame.status === 1 });
      }
      return;
    }
    case Kind.OFFER_FILE:
    case Kind.ACCEPT_FILE:
    case Kind.REJECT_FILE:
    case Kind.FILE_TRANSFER:
      t.transfers.onFrame(frame, t.session);
      return;
  }
}
