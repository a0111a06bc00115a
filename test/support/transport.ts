import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { inject } from 'vitest';
import type { ClientTlsOptions, ServerTlsOptions } from '../../src/transport/index.js';

/**
 * The wire the parametrised suites run over: `plain`, or `tls` when the vitest project sets
 * RELAYKIT_TEST_TRANSPORT=tls (see vitest.config.ts). Suites call the helpers below instead
 * of choosing, so one suite covers both.
 */
export const TEST_TRANSPORT: 'plain' | 'tls' =
  process.env.RELAYKIT_TEST_TRANSPORT === 'tls' ? 'tls' : 'plain';

/**
 * Set by the `cluster` project (see vitest.config.ts): suites then run with their clients
 * spread over two nodes of one cluster.
 */
export const TEST_CLUSTER = process.env.RELAYKIT_TEST_CLUSTER === '1';

/**
 * Ports that stand for a two-node cluster: each socket opened to one goes to the next node
 * in turn, so consecutive clients of a test land on different nodes.
 */
const spread = new Map<number, { ports: readonly number[]; next: number }>();

/** Makes `port` stand for every port in `ports`, taken in turn by `openSocket`. */
export function spreadPort(port: number, ports: readonly number[]): void {
  spread.set(port, { ports, next: 0 });
}

/** The ports `port` stands for: every node's when it is a spread port, else itself. */
export function spreadPorts(port: number): readonly number[] {
  return spread.get(port)?.ports ?? [port];
}

/** Forgets every spread port (between tests). */
export function clearSpreadPorts(): void {
  spread.clear();
}

function pickPort(port: number): number {
  const s = spread.get(port);
  if (s === undefined) return port;
  return s.ports[s.next++ % s.ports.length]!;
}

/** The shared certificates (made once per run by tls-fixtures.ts). */
export function tlsFixtures() {
  return inject('tlsFixtures');
}

/** Server options for the suite's transport: `{}` or `{ tls }`. */
export function serverTransport(): { tls?: ServerTlsOptions } {
  if (TEST_TRANSPORT === 'plain') return {};
  const { server } = tlsFixtures();
  return { tls: { cert: server.cert, key: server.key } };
}

/** Client options for the suite's transport: `{}` or `{ tls: { ca } }`. */
export function clientTransport(): { tls?: ClientTlsOptions } {
  if (TEST_TRANSPORT === 'plain') return {};
  return { tls: { ca: tlsFixtures().ca.cert } };
}

/**
 * Opens a raw socket to a test server on 127.0.0.1 over the suite's transport; resolves once
 * frames may flow (after the handshake for TLS).
 */
export function openSocket(to: number): Promise<Socket> {
  const port = pickPort(to);
  return new Promise((resolve, reject) => {
    const socket: Socket =
      TEST_TRANSPORT === 'plain'
        ? netConnect({ port, host: '127.0.0.1' })
        : tlsConnect({ port, host: '127.0.0.1', ca: tlsFixtures().ca.cert });
    socket.once('error', reject);
    socket.once(TEST_TRANSPORT === 'plain' ? 'connect' : 'secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
