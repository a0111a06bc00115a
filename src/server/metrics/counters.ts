/** Counters a session updates as it works; the server's `stats` reads them. */
export interface TrafficCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Why a connection ended, as `relaykit_disconnects_total` labels it. */
export type DisconnectReason =
  | 'departs'
  | 'closed'
  | 'heartbeat_timeout'
  | 'registration_timeout'
  | 'slow_reader'
  | 'protocol_error'
  | 'shutdown';

/** Every disconnect reason, in the order the metrics list them. */
export const DISCONNECT_REASONS: readonly DisconnectReason[] = [
  'departs',
  'closed',
  'heartbeat_timeout',
  'registration_timeout',
  'slow_reader',
  'protocol_error',
  'shutdown',
];

/** How a relayed file transfer ended, as `relaykit_transfers_total` labels it. */
export type TransferOutcome = 'completed' | 'rejected' | 'aborted';

/**
 * The server's running counts, kept as plain numbers whether or not metrics are served:
 * the hot paths only add to a field or an array slot (no label lookups, no prom-client),
 * and the metrics module reads them when it is scraped.
 */
export class ServerCounters implements TrafficCounters {
  framesIn = 0;
  framesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  connectionsOpened = 0;
  fileBytesRelayed = 0;
  /** Frames by kind byte (the header's first byte). */
  readonly framesInByKind = new Float64Array(256);
  readonly framesOutByKind = new Float64Array(256);
  /** ERR frames the server sent, by error code. */
  readonly protocolErrors = new Float64Array(256);
  readonly disconnects: Record<DisconnectReason, number> = {
    departs: 0,
    closed: 0,
    heartbeat_timeout: 0,
    registration_timeout: 0,
    slow_reader: 0,
    protocol_error: 0,
    shutdown: 0,
  };
  readonly transfers: Record<TransferOutcome, number> = { completed: 0, rejected: 0, aborted: 0 };
}
