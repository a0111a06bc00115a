// The events' plain payloads, which the connection and transfer machinery also use. They
// import nothing from the client, so those modules can name them without depending on the
// event map (which names the client, through the handler contexts).

/** A message posted to a room you are in. `self` is true for your own posts echoed back. */
export interface PostEvent {
  room: string;
  from: string;
  text: string;
  self: boolean;
}

/** A direct message sent to you. */
export interface DirectEvent {
  from: string;
  text: string;
}

/** A file someone offers you; `id` is the server's transfer id. */
export interface OfferEvent {
  id: number;
  from: string;
  fileName: string;
  size: number;
}

/** A room's member list changed; `joined` and `left` are the difference to the previous one. */
export interface MembersEvent {
  room: string;
  members: string[];
  joined: string[];
  left: string[];
}

/** Where an accepted file goes: a directory (written safely) or a stream of your own. */
export type AcceptTarget = (
  | {
      /** Directory to write into; the file appears there only once complete. */
      dir: string;
      /** When the name exists: `'rename'` (default: "report (1).txt"), `'overwrite'`, `'fail'`. */
      conflict?: 'rename' | 'overwrite' | 'fail';
      /** Save under this name instead of the offered one (made safe the same way). */
      name?: string;
    }
  | { stream: NodeJS.WritableStream }
) & {
  /** Refuse (reject) the offer when it declares more bytes than this. */
  maxSize?: number;
  /**
   * Fail with TIMEOUT (and tell the sender with REJECT_FILE) when no byte arrives for this many
   * milliseconds after the ACCEPT, not counting time spent waiting for your own disk or
   * stream. A sender whose connection silently died is otherwise noticed only when the server
   * notices it. Default 60,000; `Infinity` waits for ever (a sender streaming a slow source).
   */
  idleTimeoutMs?: number;
};

/** Progress, completion or failure of a file transfer, in either direction. */
export interface TransferEvent {
  id: number;
  direction: 'in' | 'out';
  peer: string;
  fileName: string;
  size: number;
  bytes: number;
  /** Average bytes per second since the transfer started. */
  rate: number;
  state: 'progress' | 'done' | 'failed';
  /** Incoming transfers into a directory: where the file is (or will be). */
  path?: string;
  error?: Error;
}

/** Why a connection ended: see `ClientEvents['disconnect']`. */
export type DisconnectReason =
  | 'closed'
  | 'server-departed'
  | 'timeout'
  | 'server-error'
  | 'protocol-error'
  | 'socket-error';
