/**
 * Listeners and dialers: plain TCP and TLS behind one interface. The server accepts every
 * connection through `openListener`'s `accept` and the client opens every one with `dial`,
 * so the edge of the process (and anything counting at it) is in one place.
 */
export { classifyTlsError, type DialTarget, dial, type TlsFailure } from './dial.js';
export { TransportError } from './errors.js';
export {
  type Listener,
  type ListenerEvents,
  type ListenerSpec,
  openListener,
  type Peer,
  type TransportKind,
} from './listener.js';
export {
  CLIENT_AUTH_MODES,
  type ClientAuth,
  type ClientTlsOptions,
  type Pem,
  type ServerTlsOptions,
} from './options.js';
