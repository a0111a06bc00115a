import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../src/certs/dev-certs.js';
import { frames, Kind } from '../../src/protocol/index.js';
import { cleanup, TestClient } from '../integration/server/helpers.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';

// `relaykit cert` and `relaykit serve --tls-*`, as a user runs them: files on disk, a real
// process, SIGHUP.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-tls-'));
});
afterEach(async () => {
  await killAll();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const fingerprintOf = (file: string) =>
  new X509Certificate(readFileSync(join(dir, file))).fingerprint256;

function dialTls(port: number, client?: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      port,
      host: '127.0.0.1',
      ca: readFileSync(join(dir, 'ca.pem')),
      ...(client === undefined
        ? {}
        : {
            cert: readFileSync(join(dir, `client-${client}.pem`)),
            key: readFileSync(join(dir, `client-${client}-key.pem`)),
          }),
    });
    socket.once('error', reject);
    socket.once('secureConnect', () => resolve(socket));
  });
}

describe('relaykit cert', () => {
  it('writes a CA, a server and client certificates, prints their fingerprints, and keeps keys private', async () => {
    const result = await runCli(['cert', '--out', dir, '--client', 'alice', '--client', 'bob']);
    expect(result.code).toBe(0);
    for (const file of ['ca.pem', 'server.pem', 'client-alice.pem', 'client-bob.pem']) {
      expect(result.stdout).toContain(`${join(dir, file)}\n  SHA-256 ${fingerprintOf(file)}`);
    }
    for (const key of ['ca-key.pem', 'server-key.pem', 'client-alice-key.pem']) {
      expect(statSync(join(dir, key)).mode & 0o077).toBe(0);
    }
    const server = new X509Certificate(readFileSync(join(dir, 'server.pem')));
    expect(server.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(server.verify(new X509Certificate(readFileSync(join(dir, 'ca.pem'))).publicKey)).toBe(
      true,
    );
    expect(new X509Certificate(readFileSync(join(dir, 'client-alice.pem'))).subject).toBe(
      'CN=alice',
    );

    const again = await runCli(['cert', '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a CA.*--force/);
  }, 60_000);
});

describe('relaykit serve over TLS', () => {
  it('serves TLS beside plaintext, binds names to client certificates, and reloads its certificate on SIGHUP without dropping anyone', async () => {
    expect((await runCli(['cert', '--out', dir, '--client', 'alice'])).code).toBe(0);
    const serve = startCli([
      'serve',
      '--port',
      '0',
      '--plain-port',
      '0',
      '--tls-cert',
      join(dir, 'server.pem'),
      '--tls-key',
      join(dir, 'server-key.pem'),
      '--tls-ca',
      join(dir, 'ca.pem'),
      '--tls-client-auth',
      'optional',
    ]);
    await serve.waitFor(/listening .*transport=plain/);
    const tlsPort = Number(/listening \S+ port=(\d+) transport=tls/.exec(serve.stderr)![1]);
    const plainPort = Number(/listening \S+ port=(\d+) transport=plain/.exec(serve.stderr)![1]);

    const alice = TestClient.over(await dialTls(tlsPort, 'alice'));
    await alice.register('alice');
    const plain = netConnect({ port: plainPort, host: '127.0.0.1' });
    await once(plain, 'connect');
    const bob = TestClient.over(plain);
    await bob.register('bob');
    const impostor = TestClient.over(await dialTls(tlsPort, 'alice'));
    impostor.send(frames.newClient('mallory'));
    await impostor.closedWith();
    await serve.waitFor(/ILLEGAL_NAME reason="name 'mallory' is not on the client certificate/);

    // Renew the server certificate in place (same CA), as a certbot hook would, and HUP.
    const renewed = issueCertificate(
      {
        cert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
        key: readFileSync(join(dir, 'ca-key.pem'), 'utf8'),
      },
      { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], use: 'server' },
    );
    writeFileSync(join(dir, 'server.pem'), renewed.cert);
    writeFileSync(join(dir, 'server-key.pem'), renewed.key);
    serve.child.kill('SIGHUP');
    await serve.waitFor(/TLS certificate reloaded/);
    const fresh = await dialTls(tlsPort);
    expect(new X509Certificate(fresh.getPeerX509Certificate()!.raw).fingerprint256).toBe(
      fingerprintOf('server.pem'),
    );
    fresh.destroy();

    // A broken file on the next HUP is logged; the server keeps the certificate it has.
    writeFileSync(join(dir, 'server.pem'), 'not a certificate');
    serve.child.kill('SIGHUP');
    await serve.waitFor(/TLS reload failed; still serving the previous certificate/);
    const still = await dialTls(tlsPort);
    expect(new X509Certificate(still.getPeerX509Certificate()!.raw).fingerprint).toBe(
      new X509Certificate(renewed.cert).fingerprint,
    );
    still.destroy();

    // Both clients went through both reloads connected.
    alice.send(frames.enterRoom('ops'));
    bob.send(frames.enterRoom('ops'));
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    bob.send(frames.send('ops', 'across the reloads'));
    expect(await alice.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'bob' });

    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  }, 60_000);

  it('says which flag is missing or which file cannot be read', async () => {
    const onlyCert = await runCli(['serve', '--port', '0', '--tls-cert', join(dir, 'x.pem')]);
    expect(onlyCert.code).toBe(1);
    expect(onlyCert.stderr).toMatch(/--tls-cert needs --tls-key too/);
    const missing = await runCli([
      'serve',
      '--port',
      '0',
      '--tls-cert',
      join(dir, 'nope.pem'),
      '--tls-key',
      join(dir, 'nope-key.pem'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--tls-cert ${join(dir, 'nope.pem')}: no such file`);
    const plainOnly = await runCli(['serve', '--port', '0', '--plain-port', '0']);
    expect(plainOnly.code).toBe(1);
    expect(plainOnly.stderr).toMatch(/--plain-port adds a plaintext listener beside a TLS one/);
  }, 60_000);
});
