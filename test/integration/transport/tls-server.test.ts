import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { encode, ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { createLogger } from '../../../src/server/index.js';
import type { ServerTlsOptions } from '../../../src/transport/index.js';
import { cleanup, startServer, TestClient, until } from '../server/helpers.js';
import { tlsFixtures } from '../../support/transport.js';

// The TLS listener on its own: client certificates and the names they bind, reloads, and
// input that must cost only its own connection. The protocol itself over TLS is covered by
// the conformance suites run in the `tls` project.

afterEach(cleanup);

const fx = tlsFixtures();
const sockets = new Set<Socket>();
afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets.clear();
});

/** Log lines as objects, for checking what the server said and why. */
function capturedLog() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  return { logger: createLogger({ level: 'info', json: true, stream }), lines };
}

function serverTls(extra: Partial<ServerTlsOptions> = {}): ServerTlsOptions {
  return { cert: fx.server.cert, key: fx.server.key, ...extra };
}

/** A TLS socket to the test server; resolves after the handshake, rejects on its failure. */
function dialTls(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', ca: fx.ca.cert, ...options });
    sockets.add(socket);
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

const asClient = (name: string) => ({ cert: fx.clients[name]!.cert, key: fx.clients[name]!.key });

describe('client certificates', () => {
  it('lets a client register as its certificate CN, and refuses any other name with ILLEGAL_NAME and a logged reason', async () => {
    const { logger, lines } = capturedLog();
    const { port } = await startServer({
      tls: serverTls({ ca: fx.ca.cert, clientAuth: 'require' }),
      logger,
    });
    const alice = TestClient.over(await dialTls(port, asClient('alice')));
    await alice.register('alice');

    const impostor = TestClient.over(await dialTls(port, asClient('bob')));
    impostor.send(frames.newClient('carol'));
    expect(await impostor.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
    const refusal = lines.find((l) => l.msg === 'protocol error' && l.code === 'ILLEGAL_NAME');
    expect(refusal?.reason).toBe("name 'carol' is not on the client certificate (it names 'bob')");
    expect(await alice.query('carol')).toBe(0);
    expect(await alice.query('alice')).toBe(1);
  });

  it('with require, refuses a client without a certificate or with one from another CA, and logs why', async () => {
    const { logger, lines } = capturedLog();
    const { server, port } = await startServer({
      tls: serverTls({ ca: fx.ca.cert, clientAuth: 'require' }),
      logger,
    });
    for (const options of [{}, { cert: fx.strangerAlice.cert, key: fx.strangerAlice.key }]) {
      const socket = await dialTls(port, options);
      socket.resume();
      socket.on('error', () => {});
      socket.write(encode(frames.newClient('alice')));
      await once(socket, 'close');
    }
    const reasons = lines.filter((l) => l.msg === 'connection refused').map((l) => l.reason);
    expect(reasons).toEqual([
      'no client certificate (this listener requires one)',
      "client certificate refused: not signed by this listener's CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    ]);
    expect(server.stats.connections).toBe(0);
    expect(lines.some((l) => l.msg === 'registered')).toBe(false);
  });

  it('with a CA alone, requires a certificate, and its listening line says so', async () => {
    const { logger, lines } = capturedLog();
    const { port } = await startServer({ tls: serverTls({ ca: fx.ca.cert }), logger });
    expect(lines.find((l) => l.msg === 'listening')).toMatchObject({
      transport: 'tls',
      clientAuth: 'require',
    });
    const socket = await dialTls(port);
    socket.resume();
    socket.on('error', () => {});
    await once(socket, 'close');
    expect(lines.find((l) => l.msg === 'connection refused')?.reason).toBe(
      'no client certificate (this listener requires one)',
    );
  });

  it('with optional, lets a client without a certificate take any name, and refuses one from another CA', async () => {
    const { logger, lines } = capturedLog();
    const { server, port } = await startServer({
      tls: serverTls({ ca: fx.ca.cert, clientAuth: 'optional' }),
      logger,
    });
    const anon = TestClient.over(await dialTls(port));
    await anon.register('anyone');
    const bound = TestClient.over(await dialTls(port, asClient('bob')));
    bound.send(frames.newClient('alice'));
    expect(await bound.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);

    const stranger = await dialTls(port, {
      cert: fx.strangerAlice.cert,
      key: fx.strangerAlice.key,
    });
    await once(stranger, 'close');
    const refused = lines.find((l) => l.msg === 'connection refused');
    expect(String(refused?.reason)).toMatch(/client certificate refused/);
    expect(server.stats.users).toBe(1);
    expect(await anon.query('anyone')).toBe(1);
  });
});

describe('reloading the certificate', () => {
  it('serves the new certificate to new connections and keeps every connected client', async () => {
    const { server, port } = await startServer({ tls: serverTls() });
    const alice = TestClient.over(await dialTls(port));
    await alice.register('alice');
    const bob = TestClient.over(await dialTls(port));
    await bob.register('bob');
    alice.send(frames.enterRoom('ops'));
    bob.send(frames.enterRoom('ops'));
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);

    server.reloadTls({ cert: fx.renewedServer.cert, key: fx.renewedServer.key });

    const fresh = await dialTls(port);
    const served = new X509Certificate(fresh.getPeerX509Certificate()!.raw);
    expect(served.fingerprint256).toBe(new X509Certificate(fx.renewedServer.cert).fingerprint256);
    const before = new X509Certificate((alice.socket as TLSSocket).getPeerX509Certificate()!.raw);
    expect(before.fingerprint256).toBe(new X509Certificate(fx.server.cert).fingerprint256);
    bob.send(frames.send('ops', 'still here'));
    expect(await alice.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'bob', text: 'still here' });
    expect(server.stats.users).toBe(2);
  });

  it('keeps the old certificate when the new key does not match, and says so', async () => {
    const { server, port } = await startServer({ tls: serverTls() });
    expect(() =>
      server.reloadTls({ cert: fx.renewedServer.cert, key: fx.server.key }),
    ).toThrowError(expect.objectContaining({ code: 'TLS_BAD_CREDENTIALS' }));
    const fresh = await dialTls(port);
    const served = new X509Certificate(fresh.getPeerX509Certificate()!.raw);
    expect(served.fingerprint256).toBe(new X509Certificate(fx.server.cert).fingerprint256);
  });
});

describe('listeners side by side', () => {
  it('serves plaintext on plainPort and TLS on port, into the same rooms', async () => {
    const { server, port } = await startServer({ tls: serverTls(), plainPort: 0 });
    const plain = server.addresses.find((a) => a.transport === 'plain')!;
    expect(server.addresses[0]).toMatchObject({ transport: 'tls', port });
    const secure = TestClient.over(await dialTls(port));
    await secure.register('secure');
    const legacy = await TestClient.registered(plain.port, 'legacy').catch(async () => {
      // The suite's own transport may be TLS; the plain listener needs a plain socket.
      const s = netConnect({ port: plain.port, host: '127.0.0.1' });
      await once(s, 'connect');
      const c = TestClient.over(s);
      await c.register('legacy');
      return c;
    });
    secure.send(frames.enterRoom('ops'));
    legacy.send(frames.enterRoom('ops'));
    await secure.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    legacy.send(frames.send('ops', 'hello from plaintext'));
    expect(await secure.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'legacy' });
  });

  it('refuses plainPort without tls, and a key that does not match, with a clear error', async () => {
    await expect(startServer({ plainPort: 0 })).rejects.toMatchObject({
      code: 'INVALID_SERVER_OPTION',
    });
    await expect(
      startServer({ tls: { cert: fx.server.cert, key: fx.clients.alice!.key } }),
    ).rejects.toMatchObject({ code: 'TLS_BAD_CREDENTIALS', message: /does not belong/ });
  });
});

describe('bad input on the TLS port', () => {
  it('closes a plaintext client and a garbage sender at once, and logs why', async () => {
    const { logger, lines } = capturedLog();
    const { server, port } = await startServer({ tls: serverTls(), logger });
    const plain = netConnect({ port, host: '127.0.0.1' });
    sockets.add(plain);
    plain.on('error', () => {});
    plain.write(encode(frames.newClient('alice')));
    const garbage = netConnect({ port, host: '127.0.0.1' });
    sockets.add(garbage);
    garbage.on('error', () => {});
    garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await Promise.all([once(plain, 'close'), once(garbage, 'close')]);
    await until(() => lines.filter((l) => l.msg === 'connection refused').length === 2);
    const reasons = lines.filter((l) => l.msg === 'connection refused').map((l) => l.reason);
    expect(reasons).toContain('not a TLS handshake (a plaintext client on the TLS port?)');
    const alice = TestClient.over(await dialTls(port));
    await alice.register('alice');
    expect(server.stats.connections).toBe(1);
  });

  it('lets clients log in at once while 500 handshakes stall, then drops the stalled ones within the registration timeout', async () => {
    const timeoutMs = 5_000;
    const { logger, lines } = capturedLog();
    const { server, port } = await startServer({
      tls: serverTls(),
      registrationTimeoutMs: timeoutMs,
      logger,
    });
    const openedAt = performance.now();
    const stalled = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const s = netConnect({ port, host: '127.0.0.1' });
        sockets.add(s);
        s.on('error', () => {});
        // Reading, so the server's close is seen.
        s.resume();
        await once(s, 'connect');
        return s;
      }),
    );
    // One more trickles a ClientHello a byte at a time: Node's idle timer alone would never
    // end it.
    const trickler = netConnect({ port, host: '127.0.0.1' });
    sockets.add(trickler);
    trickler.on('error', () => {});
    trickler.resume();
    await once(trickler, 'connect');
    const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), Buffer.alloc(512)]);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < hello.length && !trickler.destroyed) trickler.write(hello.subarray(sent, ++sent));
    }, 100);
    const connectedAll = performance.now() - openedAt;

    try {
      const loginStarted = performance.now();
      const alice = TestClient.over(await dialTls(port));
      await alice.register('alice');
      const bob = TestClient.over(await dialTls(port));
      await bob.register('bob');
      const loginMs = performance.now() - loginStarted;
      // Both logged in while every stalled handshake was still open: nobody waited for them.
      expect(stalled.filter((s) => s.destroyed || s.readyState !== 'open')).toEqual([]);
      expect(loginMs).toBeLessThan(timeoutMs);

      await Promise.all([...stalled, trickler].map((s) => once(s, 'close')));
      const closedAfter = performance.now() - openedAt;
      expect(closedAfter).toBeLessThan(connectedAll + timeoutMs + 1_000);
      expect(
        lines.filter((l) => l.msg === 'connection refused' && /within/.test(String(l.reason)))
          .length,
      ).toBe(501);
      // The logged-in clients were not touched.
      alice.send(frames.enterRoom('ops'));
      await alice.next(Kind.USER_LISTING);
      expect(await bob.query('alice')).toBe(1);
      expect(server.stats.connections).toBe(2);
    } finally {
      clearInterval(drip);
    }
  });
});
