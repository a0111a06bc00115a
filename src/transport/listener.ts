import { createServer as createNetServer, type Server, Socket } from 'node:net';
import {
  createServer as createTlsServer,
  type Server as TlsServer,
  type TLSSocket,
} from 'node:tls';
import type { ClientAuth, ServerTlsOptions } from './options.js';
import { certificateNames } from './peer-names.js';
import { type ServerTlsSettings, serverTlsSettings } from './secure-context.js';

/** Which wire a listener speaks. */
export type TransportKind = 'plain' | 'tls';

/** Who is on the other end of an accepted connection. */
export interface Peer {
  readonly transport: TransportKind;
  /** `host:port` of the peer, for logs. */
  readonly address: string;
  /** `Date.now()` when the TCP connection was accepted (before any TLS handshake). */
  readonly acceptedAt: number;
  /**
   * The names on the peer's verified client certificate (CN, then SANs), or null when it
   * presented none. A connection with names may register only as one of them.
   */
  readonly certificateNames: readonly string[] | null;
}

/** What a listener tells its owner. All accepted sockets pass through `accept`. */
export interface ListenerEvents {
  /** A connection is ready for frames (for TLS: the handshake is done and verified). */
  accept(socket: Socket, peer: Peer): void;
  /** A connection was dropped before it got that far, and why (for the log). */
  refused(address: string, reason: string): void;
  /** Accepting failed (EMFILE and the like); the listener keeps going. */
  error(err: Error): void;
}

/** Where and how to listen. */
export interface ListenerSpec {
  host: string;
  port: number;
  /** Present for a TLS listener. */
  tls?: ServerTlsOptions;
  /** Longest a TLS handshake may take, from accept to done, before the socket is dropped. */
  handshakeTimeoutMs: number;
}

/** One bound listener, plain or TLS, behind the same face. */
export interface Listener {
  readonly transport: TransportKind;
  readonly host: string;
  readonly port: number;
  /** How a TLS listener asks for client certificates, its default applied; null if plain. */
  readonly clientAuth: ClientAuth | null;
  /**
   * Serves new handshakes with a new certificate and key (and CA); connections already open
   * keep theirs. Throws `TransportError` and keeps the old ones if the new ones are bad. A
   * no-op on a plain listener.
   */
  reload(tls: ServerTlsOptions): void;
  /** Stops accepting; resolves once every connection it accepted has closed. */
  close(): Promise<void>;
}

/**
 * Binds a listener. Rejects with the `listen` errno error (EADDRINUSE, EACCES, ...) or a
 * `TransportError` for unusable TLS settings.
 */
export async function openListener(spec: ListenerSpec, events: ListenerEvents): Promise<Listener> {
  const settings = spec.tls === undefined ? null : serverTlsSettings(spec.tls);
  const server = settings === null ? plainServer(events) : tlsServer(settings, spec, events);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, spec.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Accept failures (EMFILE and the like) must never take the server down.
  server.on('error', (err) => events.error(err));
  const address = server.address();
  const bound =
    address !== null && typeof address === 'object'
      ? { host: address.address, port: address.port }
      : { host: spec.host, port: spec.port };
  return {
    transport: settings === null ? 'plain' : 'tls',
    ...bound,
    clientAuth: settings === null ? null : settings.clientAuth,
    reload(tls) {
      if (settings === null) return;
      const next = serverTlsSettings(tls);
      (server as TlsServer).setSecureContext(next.context);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.emit('stopping');
      }),
  };
}

function remote(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

function plainServer(events: ListenerEvents): Server {
  return createNetServer({ noDelay: true }, (socket) => {
    events.accept(socket, {
      transport: 'plain',
      address: remote(socket),
      acceptedAt: Date.now(),
      certificateNames: null,
    });
  });
}

/**
 * A TLS server whose handshakes each get an absolute deadline from accept (Node's own
 * `handshakeTimeout` is an idle timer, which a peer trickling one byte at a time never trips),
 * and whose client certificates are checked here, so the owner only ever sees verified peers.
 */
function tlsServer(settings: ServerTlsSettings, spec: ListenerSpec, events: ListenerEvents) {
  const asks = settings.clientAuth !== 'none';
  const server = createTlsServer({
    ...settings.context,
    noDelay: true,
    requestCert: asks,
    // Checked on 'secureConnection' instead, where the refusal can be logged with its reason
    // (Node would drop the socket without one).
    rejectUnauthorized: false,
    // Ours below is the one that counts; Node's idle timer only backs it up.
    handshakeTimeout: spec.handshakeTimeoutMs * 2,
  });
  // Raw sockets still in their handshake, by peer address (a TLSSocket reports its raw
  // socket's address while it is open), with their deadline timers.
  const handshaking = new Map<string, { at: number; timer: NodeJS.Timeout; raw: Socket }>();
  const settle = (address: string, reason: string | null): number | undefined => {
    const entry = handshaking.get(address);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    handshaking.delete(address);
    if (reason !== null) events.refused(address, reason);
    return entry.at;
  };
  server.on('connection', (raw: Socket) => {
    const address = remote(raw);
    const timer = setTimeout(() => {
      settle(address, `TLS handshake not finished within ${spec.handshakeTimeoutMs} ms`);
      raw.destroy();
    }, spec.handshakeTimeoutMs);
    timer.unref();
    handshaking.set(address, { at: Date.now(), timer, raw });
    // Still listed when it closes: it never finished its handshake.
    // The TLS socket's error, with the better reason, may come just after: give it a turn.
    raw.once('close', () => setImmediate(() => settle(address, 'closed during the TLS handshake')));
  });
  server.on('tlsClientError', (err, socket) => {
    // A socket already closed has forgotten its peer; the raw socket it wraps (Node's
    // `_parent`) still knows it. Without either, the raw 'close' reports it.
    const raw = (socket as { _parent?: unknown })._parent;
    const address =
      socket.remoteAddress !== undefined
        ? remote(socket)
        : raw instanceof Socket && raw.remoteAddress !== undefined
          ? remote(raw)
          : null;
    if (address !== null) settle(address, handshakeProblem(err));
    // Node leaves a failed handshake's socket open once anyone listens for this event.
    socket.destroy();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const address = remote(socket);
    const acceptedAt = settle(address, null) ?? Date.now();
    let names: string[] | null = null;
    if (asks) {
      const cert = socket.getPeerCertificate();
      const presented = cert !== null && Object.keys(cert).length > 0;
      const problem = !presented
        ? settings.clientAuth === 'require'
          ? 'no client certificate (this listener requires one)'
          : null
        : socket.authorized
          ? null
          : `client certificate refused: ${certificateProblem(String(socket.authorizationError))}`;
      if (problem !== null) {
        events.refused(address, problem);
        socket.destroy();
        return;
      }
      if (presented) names = certificateNames(cert);
    }
    events.accept(socket, {
      transport: 'tls',
      address,
      acceptedAt,
      certificateNames: names,
    });
  });
  // Closing waits for every connection: handshakes still under way are not worth waiting for.
  server.on('stopping', () => {
    for (const { timer, raw } of handshaking.values()) {
      clearTimeout(timer);
      raw.destroy();
    }
    handshaking.clear();
  });
  return server;
}

/** Why a client certificate did not verify, in words, with OpenSSL's code. */
function certificateProblem(code: string): string {
  if (/UNABLE_TO|SELF_SIGNED|UNTRUSTED|SIGNATURE/.test(code)) {
    return `not signed by this listener's CA (${code})`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `expired (${code})`;
  if (code === 'CERT_NOT_YET_VALID') return `not valid yet (${code})`;
  return code;
}

/** A handshake failure in words an operator can act on. */
function handshakeProblem(err: Error & { code?: string }): string {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/http request|wrong version number|unknown protocol|packet length too long/i.test(text)) {
    return 'not a TLS handshake (a plaintext client on the TLS port?)';
  }
  if (/timeout/i.test(text)) return 'TLS handshake stalled';
  if (/certificate required|peer did not return a certificate/i.test(text)) {
    return 'no client certificate (this listener requires one)';
  }
  if (/certificate|unknown ca|verify/i.test(text)) {
    return `client certificate refused (${err.message})`;
  }
  return `TLS handshake failed: ${err.message}`;
}
