import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { createServer, type RelayServer } from '../../src/server/index.js';
import { tlsFixtures } from '../support/transport.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';

// The CLI and recipes against a TLS server: tls:// addresses, --tls-* flags, RELAYKIT_TLS_*
// variables, --insecure, and recipe `tls:` files relative to the recipe.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const fx = tlsFixtures();
let dir: string;
let server: RelayServer;
let url: string;
const clients: Client[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-tls-'));
  for (const [file, pem] of [
    ['ca.pem', fx.ca.cert],
    ['alice.pem', fx.clients.alice!.cert],
    ['alice-key.pem', fx.clients.alice!.key],
  ] as const) {
    writeFileSync(join(dir, file), pem);
  }
  server = createServer({
    tls: { cert: fx.server.cert, key: fx.server.key, ca: fx.ca.cert, clientAuth: 'optional' },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  url = `tls://127.0.0.1:${port}`;
});
afterEach(async () => {
  await killAll();
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An SDK client in `room` over TLS, to see what the CLI did. */
async function watcher(room: string): Promise<Client> {
  const port = Number(url.split(':').pop());
  const client = await connect({ name: 'watcher', port, tls: { ca: fx.ca.cert } });
  clients.push(client);
  await client.join(room);
  return client;
}

describe('the CLI over TLS', () => {
  it('says into a room over tls:// with --tls-ca, and with RELAYKIT_TLS_CA instead', async () => {
    const w = await watcher('ops');
    const first = w.waitFor('post', (p) => p.text === 'over tls');
    const said = await runCli([
      'say',
      'ops',
      'over tls',
      '--as',
      'poster',
      '--server',
      url,
      '--tls-ca',
      join(dir, 'ca.pem'),
    ]);
    expect(said.code).toBe(0);
    await first;
    const second = w.waitFor('post', (p) => p.text === 'from env');
    const fromEnv = await runCli(['say', 'ops', 'from env', '--as', 'poster', '--server', url], {
      env: { RELAYKIT_TLS_CA: join(dir, 'ca.pem') },
    });
    expect(fromEnv.code).toBe(0);
    await second;
  }, 60_000);

  it('fails with exit 2 and says to pass the CA when the certificate is not trusted', async () => {
    const result = await runCli(['rooms', '--as', 'r', '--server', url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Could not connect securely: The certificate of tls:\/\/127\.0\.0\.1:\d+ is not signed by a CA this client trusts .*--tls-ca or RELAYKIT_TLS_CA/,
    );
    const missing = await runCli([
      'rooms',
      '--as',
      'r',
      '--server',
      url,
      '--tls-ca',
      join(dir, 'nope.pem'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--tls-ca ${join(dir, 'nope.pem')}: no such file`);
  }, 60_000);

  it('connects with --insecure, and warns that it is not safe', async () => {
    const result = await runCli(['rooms', '--json', '--as', 'r', '--server', url, '--insecure']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: --insecure: the server's certificate is not checked/);
  }, 60_000);

  it('registers as the name on --tls-cert, and is refused as any other', async () => {
    const w = await watcher('ops');
    const post = w.waitFor('post', (p) => p.from === 'alice');
    const cert = ['--tls-cert', join(dir, 'alice.pem'), '--tls-key', join(dir, 'alice-key.pem')];
    const ca = ['--tls-ca', join(dir, 'ca.pem')];
    const ok = await runCli([
      'say',
      'ops',
      'signed',
      '--as',
      'alice',
      '--server',
      url,
      ...ca,
      ...cert,
    ]);
    expect(ok.code).toBe(0);
    expect((await post).text).toBe('signed');
    const refused = await runCli([
      'say',
      'ops',
      'x',
      '--as',
      'mallory',
      '--server',
      url,
      ...ca,
      ...cert,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the name "mallory" \(ILLEGAL_NAME\)/);
  }, 60_000);
});

describe('recipes over TLS', () => {
  it('runs a bot on a tls:// server with the recipe’s own CA file, relative to the recipe', async () => {
    const w = await watcher('lobby');
    const file = join(dir, 'echo.yaml');
    writeFileSync(
      file,
      `server: ${url}\ntls: { ca: ca.pem }\nbots:\n  - name: echo\n    rooms: [lobby]\n    on:\n      - post: { room: lobby }\n        if: { from: watcher }\n        do: [{ reply: "echo: {text}" }]\n`,
    );
    const run = startCli(['run', file], { cwd: tmpdir() });
    await w.waitFor('members', (m) => m.members.includes('echo'));
    const echoed = w.waitFor('post', (p) => p.from === 'echo');
    await w.say('lobby', 'ping');
    expect((await echoed).text).toBe('echo: ping');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 60_000);

  it('reports a tls file that does not exist at its line and column', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `server: ${url}\nbots:\n  - name: echo\n    tls:\n      ca: missing-ca.pem\n    on:\n      - start:\n        do: [{ log: hi }]\n`,
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:5:11: bots[0].tls.ca: \`missing-ca.pem\`: no readable file at ${join(dir, 'missing-ca.pem')} (relative paths start at the recipe's folder)`,
    );
  }, 60_000);
});
