import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/client/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
const clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-send-file-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('recipe action send_file', () => {
  it('recipes/get-rule.yaml offers files from files_root and refuses paths out of it', async () => {
    mkdirSync(join(dir, 'shared'));
    const data = randomBytes(50_000);
    writeFileSync(join(dir, 'shared', 'notes.txt'), data);
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'shared', 'link'));
    const run = startCli(['run', join(ROOT, 'recipes', 'get-rule.yaml'), '--server', srv.arg], {
      cwd: dir,
    });
    await run.waitFor(/running files@/);
    const ann = await connect({ host: srv.host, port: srv.port, name: 'ann' });
    clients.push(ann);
    const answers: string[] = [];
    ann.on('direct', ({ text }) => answers.push(text));

    const got = new Promise<string>((resolve, reject) => {
      ann.onOffer((o) =>
        o.accept({ dir: join(dir, 'in') }).done.then((r) => resolve(r.path!), reject),
      );
    });
    await ann.direct('files', 'get notes.txt');
    expect(sha256(readFileSync(await got))).toBe(sha256(data));

    await ann.direct('files', 'get ../secret.txt');
    await expect.poll(() => answers.at(-1)).toMatch(/^"\.\." is not allowed/);
    await ann.direct('files', 'get /etc/passwd');
    await expect.poll(() => answers.at(-1)).toMatch(/^Paths start at the shared folder/);
    await ann.direct('files', 'get link');
    await expect.poll(() => answers.at(-1)).toMatch(/points outside the shared folder/);
    await ann.direct('files', 'hello');
    await expect
      .poll(() => answers.at(-1))
      .toBe('Send get <name> to receive a file from the shared folder.');
  });

  it('a recipe without files_root is refused with what to add', async () => {
    const file = join(dir, 'r.yaml');
    writeFileSync(
      file,
      'bots:\n  - name: f\n    on:\n      - direct:\n        do:\n          - send_file: { path: "{text}" }\n',
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /send_file needs the folder it may send from: add `files_root: \.\/shared`/,
    );
  });
});
