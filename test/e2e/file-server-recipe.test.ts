import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/client/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

// recipes/file-server.yaml runs the bundled file server bot through `relaykit run`: a bot's
// `file_server` key, its folder relative to where the run starts.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
const clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-file-server-recipe-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('recipes/file-server.yaml', () => {
  it('runs the file server bot: ls lists, get delivers the bytes, an upload is stored', async () => {
    mkdirSync(join(dir, 'shared', 'docs'), { recursive: true });
    const data = randomBytes(300_000);
    writeFileSync(join(dir, 'shared', 'docs', 'report.bin'), data);
    writeFileSync(join(dir, 'shared', '.hidden'), 'no');
    const run = startCli(['run', join(ROOT, 'recipes', 'file-server.yaml'), '--server', srv.arg], {
      cwd: dir,
    });
    await run.waitFor(/running files@/);
    const ann = await connect({ host: srv.host, port: srv.port, name: 'ann' });
    clients.push(ann);
    const answers: string[] = [];
    ann.on('direct', ({ from, text }) => {
      if (from === 'files') answers.push(text);
    });

    await ann.direct('files', 'ls docs');
    await expect.poll(() => answers.join('\n')).toMatch(/^report\.bin {2}293 KiB {2}\d{4}-/m);
    await ann.direct('files', 'ls');
    await expect.poll(() => answers.join('\n')).toMatch(/^docs\/ {2}- {2}/m);
    expect(answers.join('\n')).not.toContain('.hidden');

    const got = new Promise<string>((resolve, reject) => {
      ann.onOffer((offer) =>
        offer.accept({ dir: join(dir, 'in') }).done.then((r) => resolve(r.path!), reject),
      );
    });
    await ann.direct('files', 'get docs/report.bin');
    expect(sha256(readFileSync(await got))).toBe(sha256(data));
    await run.waitFor(/files: sent docs\/report\.bin to ann \(300000 bytes/);

    // Uploads are on in the shipped recipe: stored under shared/uploads/<user>/.
    const up = randomBytes(2000);
    await ann.sendFile('files', up, { name: 'up.txt' }).done;
    await expect
      .poll(() => answers.join('\n'))
      .toContain(`Stored uploads/ann/up.txt (2.0 KiB), sha256 ${sha256(up)}`);
    expect(readFileSync(join(dir, 'shared', 'uploads', 'ann', 'up.txt'))).toEqual(up);

    // An offer nobody answers is still in flight: Ctrl-C cancels it and stops within 2 s,
    // like serve-files.
    const bob = await connect({ host: srv.host, port: srv.port, name: 'bob' });
    clients.push(bob);
    const offered = new Promise<void>((resolve) => bob.onOffer(() => resolve()));
    await bob.direct('files', 'get docs/report.bin');
    await offered;
    const stopping = Date.now();
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(2_000);
  });

  it('--dry-run shows the file server; bad file_server keys are reported at line:col', async () => {
    const dry = await runCli(['run', join(ROOT, 'recipes', 'file-server.yaml'), '--dry-run'], {
      cwd: dir,
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `serves ${join(dir, 'shared')} by direct message; uploads on (max 104857600 bytes, quota 1073741824 bytes)`,
    );

    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'bots:',
        '  - name: files',
        '    file_server:',
        '      dir: ./shared',
        '      uplaod: true',
        '      quota: lots',
        '      announce: "two words"',
        '    on:',
        '      - direct:',
        '        do: [{ reply: hi }]',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${bad}:5:7: bots[0].file_server.uplaod: unknown key \`uplaod\` (did you mean \`upload\`?)`,
      `${bad}:6:14: bots[0].file_server.quota: expected a size: bytes, or a number with a unit: kB, MB, GB (×1000), KiB, MiB, GiB (×1024), or K, M, G (×1024)`,
      `${bad}:7:17: bots[0].file_server.announce: \`two words\` is not a valid room name: 1 to 32 characters, no spaces or control characters`,
      `${bad}:9:9: bots[0].on[0].direct: a \`direct\` rule cannot share a bot with \`file_server\`, which answers every direct message; give the rule a bot of its own`,
    ]);
  });
});
