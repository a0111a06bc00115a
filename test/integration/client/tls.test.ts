import { afterEach, describe, expect, it } from 'vitest';
import { type Client, ConnectError, connect } from '../../../src/client/index.js';
import { createServer, type RelayServer, type ServerOptions } from '../../../src/server/index.js';
import { tlsFixtures } from '../../support/transport.js';

// What connect() says when TLS goes wrong, and client certificates from the SDK's side.

const fx = tlsFixtures();
const servers: RelayServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

async function serve(options: ServerOptions): Promise<number> {
  const server = createServer(options);
  servers.push(server);
  return (await server.listen(0, '127.0.0.1')).port;
}

const tlsServer = (extra: Partial<NonNullable<ServerOptions['tls']>> = {}) =>
  serve({ tls: { cert: fx.server.cert, key: fx.server.key, ...extra } });

async function failure(promise: Promise<Client>): Promise<ConnectError> {
  const result = await promise.then(
    (c) => {
      clients.push(c);
      return c;
    },
    (e: unknown) => e,
  );
  expect(result).toBeInstanceOf(ConnectError);
  return result as ConnectError;
}

describe('connect over TLS', () => {
  it('registers with the CA given, and the server sees a TLS connection', async () => {
    const port = await tlsServer();
    const alice = await connect({ name: 'alice', port, tls: { ca: fx.ca.cert } });
    clients.push(alice);
    expect(alice.connected).toBe(true);
    expect(await alice.isOnline('alice')).toBe(true);
  });

  it('refuses an untrusted certificate with TLS_UNTRUSTED, saying to pass the CA', async () => {
    const port = await tlsServer();
    const withSystemCas = await failure(connect({ name: 'a', port, tls: true }));
    expect(withSystemCas.code).toBe('TLS_UNTRUSTED');
    expect(withSystemCas.message).toMatch(/not signed by a CA this client trusts.*--tls-ca/);
    const wrongCa = await failure(connect({ name: 'a', port, tls: { ca: fx.otherCa.cert } }));
    expect(wrongCa.code).toBe('TLS_UNTRUSTED');
  });

  it('refuses an expired certificate with TLS_UNTRUSTED, saying it expired', async () => {
    const port = await serve({ tls: { cert: fx.expiredServer.cert, key: fx.expiredServer.key } });
    const err = await failure(connect({ name: 'a', port, tls: { ca: fx.ca.cert } }));
    expect(err.code).toBe('TLS_UNTRUSTED');
    expect(err.message).toMatch(/has expired \(CERT_HAS_EXPIRED\).*renew/);
  });

  it('refuses a certificate for another name with TLS_HOSTNAME, naming the ones it has', async () => {
    const port = await tlsServer();
    const err = await failure(
      connect({ name: 'a', port, tls: { ca: fx.ca.cert, servername: 'chat.example.org' } }),
    );
    expect(err.code).toBe('TLS_HOSTNAME');
    expect(err.message).toMatch(/is for DNS:localhost, IP Address:127\.0\.0\.1.*servername/);
  });

  it('reports a plaintext server as TLS_HANDSHAKE, and a TLS server to a plaintext client as a hint', async () => {
    const plainPort = await serve({});
    const err = await failure(connect({ name: 'a', port: plainPort, tls: { ca: fx.ca.cert } }));
    expect(err.code).toBe('TLS_HANDSHAKE');
    expect(err.message).toMatch(/does not speak TLS on that port/);

    const tlsPort = await tlsServer();
    const plain = await failure(connect({ name: 'a', port: tlsPort }));
    expect(plain.code).toBe('CONNECTION_CLOSED');
    expect(plain.message).toMatch(/if the server speaks TLS, dial tls:\/\/host:port/);
  });

  it('connects to an untrusted server with rejectUnauthorized: false (what --insecure sets)', async () => {
    const port = await tlsServer();
    const client = await connect({ name: 'a', port, tls: { rejectUnauthorized: false } });
    clients.push(client);
    expect(client.connected).toBe(true);
  });

  it('refuses a half client certificate before dialling', async () => {
    await expect(
      connect({ name: 'a', port: 1, tls: { cert: fx.clients.alice!.cert } }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: /tls.cert needs tls.key/ });
  });
});

describe('client certificates from the SDK', () => {
  const mtls = (clientAuth: 'require' | 'optional') => tlsServer({ ca: fx.ca.cert, clientAuth });
  const alice = { cert: fx.clients.alice!.cert, key: fx.clients.alice!.key };

  it('registers as the certificate name, and gets ILLEGAL_NAME as anyone else', async () => {
    const port = await mtls('require');
    const ok = await connect({ name: 'alice', port, tls: { ca: fx.ca.cert, ...alice } });
    clients.push(ok);
    expect(ok.name).toBe('alice');
    const err = await failure(connect({ name: 'bob', port, tls: { ca: fx.ca.cert, ...alice } }));
    expect(err.code).toBe('ILLEGAL_NAME');
  });

  it('says to pass a certificate when the server requires one', async () => {
    const port = await mtls('require');
    const err = await failure(connect({ name: 'alice', port, tls: { ca: fx.ca.cert } }));
    expect(err.message).toMatch(/requires client certificates, pass one.*--tls-cert/);
  });

  it('says the certificate may have been refused when it is from another CA', async () => {
    const port = await mtls('optional');
    const stranger = { cert: fx.strangerAlice.cert, key: fx.strangerAlice.key };
    const err = await failure(
      connect({ name: 'alice', port, tls: { ca: fx.ca.cert, ...stranger } }),
    );
    expect(err.message).toMatch(/may have refused this client certificate/);
  });
});
