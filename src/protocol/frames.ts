import { type ErrorCode, Kind } from './constants.js';

/** ERR: the sender is about to close the connection, and says why. */
export interface ErrorFrame {
  kind: typeof Kind.ERR;
  /** An `ErrorCode` value; a received frame may carry a value outside the table. */
  code: number;
}
/** NEW_CLIENT: the first frame of a client, registering its name. */
export interface NewClientFrame {
  kind: typeof Kind.NEW_CLIENT;
  name: string;
}
/** HEARTBEAT: a sign of life, at least every 5 seconds each way. */
export interface HeartbeatFrame {
  kind: typeof Kind.HEARTBEAT;
}
/** ENTER_ROOM: join (and create if need be) a room. */
export interface EnterRoomFrame {
  kind: typeof Kind.ENTER_ROOM;
  room: string;
}
/** LEAVE_ROOM: leave a room. */
export interface LeaveRoomFrame {
  kind: typeof Kind.LEAVE_ROOM;
  room: string;
}
/** LIST_ROOMS: ask for a ROOM_LISTING. */
export interface ListRoomsFrame {
  kind: typeof Kind.LIST_ROOMS;
}
/** ROOM_LISTING: every room that has a member. */
export interface RoomListingFrame {
  kind: typeof Kind.ROOM_LISTING;
  rooms: string[];
}
/** USER_LISTING: the members of one room, in the order they joined. */
export interface UserListingFrame {
  kind: typeof Kind.USER_LISTING;
  room: string;
  users: string[];
}
/** QUERY_USER: a question (client, status 2 by convention) or an answer (0 offline, 1 online). */
export interface QueryUserFrame {
  kind: typeof Kind.QUERY_USER;
  name: string;
  status: number;
}
/** SEND_MESSAGE: a client posts text to a room. */
export interface SendMessageFrame {
  kind: typeof Kind.SEND_MESSAGE;
  room: string;
  text: string;
}
/**
 * BROADCAST_MESSAGE: a client posts text to every room it is in. `layout` is the wire form:
 * `'draft'` has the unused 64-byte target field, `'text'` is the text alone (the author's
 * implementation, CLARIFICATIONS §5.3). Encoding defaults to `'draft'`.
 */
export interface BroadcastFrame {
  kind: typeof Kind.BROADCAST_MESSAGE;
  text: string;
  layout?: BroadcastLayout;
}
/** The two wire layouts of BROADCAST_MESSAGE. */
export type BroadcastLayout = 'draft' | 'text';
/** POST_MESSAGE: the server delivers a room's message, with the sender filled in. */
export interface PostFrame {
  kind: typeof Kind.POST_MESSAGE;
  room: string;
  from: string;
  text: string;
}
/** DIRECT_MESSAGE on its way to the server: the peer field is the recipient. */
export interface DirectSendFrame {
  kind: typeof Kind.DIRECT_MESSAGE;
  to: string;
  text: string;
}
/** DIRECT_MESSAGE on its way from the server: the peer field is the original sender. */
export interface DirectForwardFrame {
  kind: typeof Kind.DIRECT_MESSAGE;
  from: string;
  text: string;
}
/** Fields shared by OFFER_FILE, ACCEPT_FILE and REJECT_FILE. */
export interface FileNegotiation {
  /** Who receives the file. */
  target: string;
  /** Who sends the file. */
  source: string;
  /** Transfer id: 0 from an offering client; chosen by the server otherwise. */
  id: number;
  /** Declared size in bytes (u32). */
  size: number;
  fileName: string;
}
/** OFFER_FILE: source offers target a file. */
export interface OfferFileFrame extends FileNegotiation {
  kind: typeof Kind.OFFER_FILE;
}
/** ACCEPT_FILE: target takes the offered file. */
export interface AcceptFileFrame extends FileNegotiation {
  kind: typeof Kind.ACCEPT_FILE;
}
/** REJECT_FILE: target declines, or the server cancels (id 0: target offline). */
export interface RejectFileFrame extends FileNegotiation {
  kind: typeof Kind.REJECT_FILE;
}
/** FILE_TRANSFER: one chunk (1–4096 bytes) of an accepted transfer. */
export interface FileTransferFrame {
  kind: typeof Kind.FILE_TRANSFER;
  id: number;
  finished: boolean;
  data: Uint8Array;
}
/** CLIENT_DEPARTS: a client says goodbye before closing. */
export interface ClientDepartsFrame {
  kind: typeof Kind.CLIENT_DEPARTS;
  farewell: string;
}
/** SERVER_DEPARTS: the server says goodbye before closing. */
export interface ServerDepartsFrame {
  kind: typeof Kind.SERVER_DEPARTS;
  farewell: string;
}

/** Every frame a client may send (what a server decodes). */
export type ClientFrame =
  | ErrorFrame
  | NewClientFrame
  | HeartbeatFrame
  | EnterRoomFrame
  | LeaveRoomFrame
  | ListRoomsFrame
  | QueryUserFrame
  | SendMessageFrame
  | BroadcastFrame
  | DirectSendFrame
  | OfferFileFrame
  | AcceptFileFrame
  | RejectFileFrame
  | FileTransferFrame
  | ClientDepartsFrame;

/** Every frame a server may send (what a client decodes). */
export type ServerFrame =
  | ErrorFrame
  | HeartbeatFrame
  | RoomListingFrame
  | UserListingFrame
  | QueryUserFrame
  | PostFrame
  | DirectForwardFrame
  | OfferFileFrame
  | AcceptFileFrame
  | RejectFileFrame
  | FileTransferFrame
  | ServerDepartsFrame;

/** Any frame of the protocol, in either direction. */
export type Frame = ClientFrame | ServerFrame;

/** Which end of a connection a decoder works for. */
export type Side = 'server' | 'client';

/** The frames that `side` receives: a server decodes `ClientFrame`s, a client `ServerFrame`s. */
export type FrameFor<S extends Side> = S extends 'server' ? ClientFrame : ServerFrame;

function negotiation<
  K extends OfferFileFrame['kind'] | AcceptFileFrame['kind'] | RejectFileFrame['kind'],
>(kind: K, f: FileNegotiation) {
  return { kind, target: f.target, source: f.source, id: f.id, size: f.size, fileName: f.fileName };
}

/**
 * Builders for every frame. They only assemble objects; `encode` validates.
 *
 * @example
 * socket.write(encode(frames.post('ops', 'alice', 'deploy done')))
 */
export const frames = {
  error: (code: ErrorCode | number): ErrorFrame => ({ kind: Kind.ERR, code }),
  newClient: (name: string): NewClientFrame => ({ kind: Kind.NEW_CLIENT, name }),
  heartbeat: (): HeartbeatFrame => ({ kind: Kind.HEARTBEAT }),
  enterRoom: (room: string): EnterRoomFrame => ({ kind: Kind.ENTER_ROOM, room }),
  leaveRoom: (room: string): LeaveRoomFrame => ({ kind: Kind.LEAVE_ROOM, room }),
  listRooms: (): ListRoomsFrame => ({ kind: Kind.LIST_ROOMS }),
  roomListing: (rooms: string[]): RoomListingFrame => ({ kind: Kind.ROOM_LISTING, rooms }),
  userListing: (room: string, users: string[]): UserListingFrame => ({
    kind: Kind.USER_LISTING,
    room,
    users,
  }),
  queryUser: (name: string, status = 2): QueryUserFrame => ({
    kind: Kind.QUERY_USER,
    name,
    status,
  }),
  send: (room: string, text: string): SendMessageFrame => ({ kind: Kind.SEND_MESSAGE, room, text }),
  broadcast: (text: string, layout: BroadcastLayout = 'draft'): BroadcastFrame => ({
    kind: Kind.BROADCAST_MESSAGE,
    text,
    layout,
  }),
  post: (room: string, from: string, text: string): PostFrame => ({
    kind: Kind.POST_MESSAGE,
    room,
    from,
    text,
  }),
  directTo: (to: string, text: string): DirectSendFrame => ({
    kind: Kind.DIRECT_MESSAGE,
    to,
    text,
  }),
  directFrom: (from: string, text: string): DirectForwardFrame => ({
    kind: Kind.DIRECT_MESSAGE,
    from,
    text,
  }),
  offer: (f: FileNegotiation): OfferFileFrame => negotiation(Kind.OFFER_FILE, f),
  accept: (f: FileNegotiation): AcceptFileFrame => negotiation(Kind.ACCEPT_FILE, f),
  reject: (f: FileNegotiation): RejectFileFrame => negotiation(Kind.REJECT_FILE, f),
  chunk: (id: number, data: Uint8Array, finished = false): FileTransferFrame => ({
    kind: Kind.FILE_TRANSFER,
    id,
    finished,
    data,
  }),
  clientDeparts: (farewell: string): ClientDepartsFrame => ({
    kind: Kind.CLIENT_DEPARTS,
    farewell,
  }),
  serverDeparts: (farewell: string): ServerDepartsFrame => ({
    kind: Kind.SERVER_DEPARTS,
    farewell,
  }),
} as const;
