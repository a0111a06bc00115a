/**
 * The client SDK: `connect()` gives a registered `Client` with typed events, handlers,
 * promise-returning commands, file transfers and opt-in reconnection.
 *
 * @example
 * import { connect } from 'relaykit'
 * const client = await connect({ name: 'bot' })
 */
export { Client } from './client.js';
export { connect } from './connect.js';
export {
  ClientError,
  type ClientErrorCode,
  ConnectError,
  type ConnectErrorCode,
  TransferError,
  type TransferErrorCode,
} from './errors.js';
export type {
  AcceptTarget,
  ClientEvents,
  DirectContext,
  DirectEvent,
  DisconnectReason,
  MembersEvent,
  OfferContext,
  OfferEvent,
  PostContext,
  PostEvent,
  TransferEvent,
} from './events.js';
export { CLIENT_EVENTS } from './events.js';
export type { DirectFilter, OfferFilter, PostFilter } from './filters.js';
export type { ContextClient } from './context-client.js';
export type { Matched } from './events.js';
export { IncomingTransfer, type IncomingResult } from './incoming-transfer.js';
export type { ConnectOptions, ReconnectOptions } from './options.js';
export type { ServerSpec } from './servers.js';
export type { ServerAddress } from '../address.js';
export {
  type FileSource,
  OutgoingTransfer,
  type OutgoingResult,
  type SendFileOptions,
} from './outgoing-transfer.js';
export { backoffDelay } from './reconnect.js';
export { sweepPartFiles } from './part-files.js';
export { safeFileName } from './safe-name.js';
export type { EventStream, StreamBound, WaitForOptions } from './streams.js';
export type { TransferProgress } from './transfer-base.js';
