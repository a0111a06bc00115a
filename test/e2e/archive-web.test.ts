import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

/** Debian's Chromium; `.ci/run` installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
/** How long the page may take to show something on a loaded machine (vitest's default is 1 s). */
const WAIT = { timeout: 15_000 };
/** Screenshots land here (gitignored) for a person to look at. */
const OUTPUT = join(ROOT, 'test-output');

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
let profile: string;
let alice: Client | undefined;
let browser: BrowserContext | undefined;
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-web-e2e-'));
  profile = mkdtempSync(join(tmpdir(), 'relaykit-chromium-'));
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await killAll();
  await alice?.close();
  alice = undefined;
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

describe('relaykit archive web in Chromium', () => {
  it('browses index → room → day, follows a permalink, searches, and shows a new post live', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    alice = await connect({ name: 'alice', host: srv.host, port: srv.port });
    await alice.join('ops');
    const archiver = startCli([
      'archive',
      'ops',
      '--dir',
      dir,
      '--as',
      'arch',
      '--server',
      srv.arg,
    ]);
    await archiver.waitFor(/archiving #ops/);
    const jsonl = join(
      dir,
      `127.0.0.1_${srv.port}`,
      'ops',
      `${new Date().toISOString().slice(0, 10)}.jsonl`,
    );
    const say = async (text: string): Promise<void> => {
      const echoed = alice!.waitFor('post', (p) => p.text === text, { timeoutMs: 10_000 });
      await alice!.say('ops', text);
      await echoed;
    };
    const archived = async (text: string): Promise<void> => {
      // The archiver has no event to await for its write: poll the file, bounded.
      for (let i = 0; i < 500; i++) {
        if (existsSync(jsonl) && readFileSync(jsonl, 'utf8').includes(JSON.stringify(text))) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`"${text}" never reached ${jsonl}`);
    };
    const lines = [
      'good morning, deploying 2.4 now',
      'runbook: https://example.org/runbook#rollback',
      '<script>alert("x")</script> is just text here',
      'deploy done, graphs calm',
    ];
    for (const text of lines) await say(text);
    await archived(lines.at(-1)!);

    const web = startCli(['archive', 'web', '--dir', dir, '--port', '0']);
    await web.waitFor(/serving the archive .* at http:\/\/\S+/);
    const url = /at (http:\/\/\S+)/.exec(web.stderr)![1]!;

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 720 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });

    // Index → room → day.
    await page.goto(url);
    await page.getByRole('link', { name: '#ops' }).click();
    await page.waitForURL(/\/logs\/127\.0\.0\.1_\d+\/ops\/$/);
    await page.locator('table.daytable a').first().click();
    await page.waitForURL(/\/ops\/\d{4}-\d\d-\d\d$/);
    const log = page.locator('#log');
    for (const text of lines) await expect.poll(() => log.textContent(), WAIT).toContain(text);
    await expect
      .poll(() => page.locator('#log a[href^="https://example.org"]').count(), WAIT)
      .toBe(1);

    // A permalink: the time of line 2 puts #L2 in the URL and highlights the line.
    const second = page.locator('#log .l', { hasText: 'runbook' });
    const id = await second.getAttribute('id');
    await second.locator('a.t').click();
    expect(new URL(page.url()).hash).toBe(`#${id}`);
    await expect.poll(() => page.locator(`#${id}:target`).count(), WAIT).toBe(1);
    // The test has no DOM types: reach the page's getComputedStyle through globalThis.
    type Styles = { getComputedStyle(el: unknown): { backgroundColor: string } };
    const background = (el: unknown): string =>
      (globalThis as unknown as Styles).getComputedStyle(el).backgroundColor;
    const lit = await second.evaluate(background);
    const plain = await page.locator('#log .l').first().evaluate(background);
    expect(lit).not.toBe(plain);

    // Live: a post made now appears without a reload.
    await expect.poll(() => page.locator('#live').isVisible(), WAIT).toBe(true);
    await say('hello from the live tail <b>bold?</b>');
    await expect
      .poll(() => log.textContent(), WAIT)
      .toContain('hello from the live tail <b>bold?</b>');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'archive-web-day.png'), fullPage: true });

    // Search from the header box (a plain form: works without script).
    await page.locator('form.quick input[name=q]').fill('deploy');
    await page.locator('form.quick input[name=q]').press('Enter');
    await page.waitForURL(/\/search\?/);
    await expect.poll(() => page.locator('article.hit').count(), WAIT).toBe(2);
    await expect
      .poll(() => page.locator('article.hit mark').first().textContent(), WAIT)
      .toBe('deploy');
    // Search as you type: the results change without submitting.
    await page.locator('#search input[name=q]').fill('graphs');
    await expect.poll(() => page.locator('article.hit').count(), WAIT).toBe(1);
    await expect
      .poll(() => page.locator('article.hit').textContent(), WAIT)
      .toContain('graphs calm');
    expect(new URL(page.url()).searchParams.get('q')).toBe('graphs');
    // The hit links to its line on the day's page.
    await page.locator('article.hit h3 a').click();
    await page.waitForURL(/#L\d+$/);
    await expect.poll(() => page.locator('.l:target').textContent(), WAIT).toContain('graphs calm');
    await page.screenshot({ path: join(OUTPUT, 'archive-web-permalink.png') });

    // Nothing blocked by the Content-Security-Policy, no script error, no alert.
    expect(problems).toEqual([]);
  }, 90_000);

  it('stops cleanly on SIGTERM with a live stream open, and says what is wrong with a bad --dir', async () => {
    const web = startCli(['archive', 'web', '--dir', dir, '--port', '0']);
    await web.waitFor(/at http:\/\/\S+/);
    const url = /at (http:\/\/\S+)/.exec(web.stderr)![1]!;
    mkdirSync(join(dir, 's_1', 'ops'), { recursive: true });
    writeFileSync(join(dir, 's_1', 'ops', '2026-11-26.jsonl'), '');
    const stream = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${url}live/s_1/ops/2026-11-26?offset=0`, resolve).on('error', reject),
    );
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const streamEnded = new Promise<void>((resolve) =>
      stream.on('close', () => resolve()).resume(),
    );
    web.child.kill('SIGTERM');
    const result = await web.exited;
    await streamEnded;
    expect(result.code).toBe(0);
    // Not stopped by main.ts's backstop: the viewer closed on its own.
    expect(result.stderr).not.toMatch(/did not finish/);

    const bad = await runCli(['archive', 'web', '--dir', join(dir, 'missing'), '--port', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/missing is not a directory\. Give --dir the directory/);
  }, 60_000);
});
