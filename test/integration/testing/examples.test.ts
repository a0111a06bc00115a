import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEchoBot } from '../../../examples/echo-bot.js';
import greeter from '../../../examples/greeter.js';
import reminder from '../../../examples/reminder.js';
import { startTestKit, type TestKit } from '../../../src/testing/index.js';

// The bundled examples and recipes, tested the way their authors would: with relaykit/testing.
// The recipes' folders (archive dir, inbox, shared) are relative to where `relaykit run`
// starts, so each test starts in a fresh temporary folder, as a user would in theirs.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const recipe = (name: string): string => join(ROOT, 'recipes', name);

let kit: TestKit | undefined;
let dir: string;
const home = process.cwd();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kit-examples-'));
  process.chdir(dir);
});
afterEach(async () => {
  await kit?.close();
  kit = undefined;
  process.chdir(home);
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/greeter.ts', () => {
  it('answers !hi in lobby and nothing else', async () => {
    kit = await startTestKit();
    await kit.run(greeter);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const first = ann.nextPost({ from: 'greeter' });
    await ann.say('lobby', 'hi there'); // not the command: no answer
    await ann.say('lobby', '!hi');
    expect((await first).text).toBe('hi ann');
  });
});

describe('examples/echo-bot.ts (the README snippet)', () => {
  it('echoes !echo in lobby and answers direct messages', async () => {
    kit = await startTestKit();
    const bot = await startEchoBot(kit.port, kit.host);
    try {
      const ann = await kit.user('ann', { rooms: ['lobby'] });
      const echoed = ann.nextPost({ from: 'echo-bot' });
      await ann.say('lobby', '!echo ping');
      expect((await echoed).text).toBe('ping');
      const direct = ann.client.waitFor('direct', (d) => d.from === 'echo-bot', {
        timeoutMs: 5000,
      });
      await ann.client.direct('echo-bot', 'hello');
      expect((await direct).text).toBe('you said: hello');
    } finally {
      await bot.close();
    }
  });
});

describe('examples/dice.yaml with examples/dice-plugin.ts', () => {
  it('rolls on a mention and on !d20', async () => {
    kit = await startTestKit();
    await kit.runRecipe(join(ROOT, 'examples', 'dice.yaml'));
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const roll = ann.nextPost({ from: 'dice' });
    await ann.say('lobby', '@dice 3d6');
    expect((await roll).text).toMatch(/^ann rolled 3d6: [1-6] \+ [1-6] \+ [1-6] = \d+$/);
    const d20 = ann.nextPost({ from: 'dice' });
    await ann.say('lobby', '!d20');
    expect((await d20).text).toMatch(/^ann rolls for initiative: 1d20: (\d+) = \1$/);
  });
});

describe('recipes/echo.yaml', () => {
  it('echoes in lobby and by direct message, and never echoes an echo', async () => {
    kit = await startTestKit();
    await kit.runRecipe(recipe('echo.yaml'));
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const echoed = ann.nextPost({ from: 'echo' });
    await ann.say('lobby', 'echo: already an echo'); // the loop guard: no answer
    await ann.say('lobby', 'hello');
    expect((await echoed).text).toBe('echo: hello');
    const direct = ann.client.waitFor('direct', (d) => d.from === 'echo', { timeoutMs: 5000 });
    await ann.client.direct('echo', 'psst');
    expect((await direct).text).toBe('echo: psst');
  });
});

describe('recipes/relay.yaml', () => {
  it('mirrors lobby into lobby-mirror', async () => {
    kit = await startTestKit();
    await kit.runRecipe(recipe('relay.yaml'));
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const bob = await kit.user('bob', { rooms: ['lobby-mirror'] });
    const mirrored = bob.nextPost({ from: 'mirror', room: 'lobby-mirror' });
    await ann.say('lobby', 'over here');
    expect((await mirrored).text).toContain('over here');
  });
});

describe('recipes/stdin-to-room.yaml', () => {
  it('posts each line of input in announcements, then the run ends', async () => {
    kit = await startTestKit();
    const bob = await kit.user('bob', { rooms: ['announcements'] });
    const seen: string[] = [];
    bob.client.on('post', (p) => {
      if (p.from === 'announcer') seen.push(p.text);
    });
    const run = await kit.runRecipe(recipe('stdin-to-room.yaml'), {
      stdin: ['deploy starts', 'deploy done'],
    });
    expect(await run.ended).toBe('input-ended');
    await expect.poll(() => seen).toEqual(['deploy starts', 'deploy done']);
  });
});

describe('recipes/archive.yaml', () => {
  it('archives lobby posts under ./relaykit-archive', async () => {
    kit = await startTestKit();
    const run = await kit.runRecipe(recipe('archive.yaml'));
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    await ann.say('lobby', 'for the record');
    const archived = (): string =>
      readdirSync(join(dir, 'relaykit-archive'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => readFileSync(join(dir, 'relaykit-archive', f), 'utf8'))
        .join('');
    await expect.poll(archived).toContain('for the record');
    await run.stop();
  });
});

describe('recipes/file-sink.yaml (files in memory)', () => {
  it('stores an offered file as <from>-<name>; refuses executables with a direct message', async () => {
    kit = await startTestKit();
    const run = await kit.runRecipe(recipe('file-sink.yaml'));
    const ann = await kit.user('ann');
    await ann.sendFile('inbox', 'notes.txt', 'hello inbox');
    await expect
      .poll(() => readdirSync(join(dir, 'relaykit-inbox')).filter((f) => !f.startsWith('.')))
      .toEqual(['ann-notes.txt']);
    expect(readFileSync(join(dir, 'relaykit-inbox', 'ann-notes.txt'), 'utf8')).toBe('hello inbox');
    expect(run.logs).toEqual(['receiving notes.txt (11 bytes) from ann']);
    const told = ann.client.waitFor('direct', (d) => d.from === 'inbox', { timeoutMs: 5000 });
    await expect(ann.sendFile('inbox', 'setup.EXE', 'MZ')).rejects.toMatchObject({
      code: 'REJECTED',
    });
    expect((await told).text).toBe('inbox does not take setup.EXE: no executables');
  });
});

describe('recipes/get-rule.yaml (files in memory)', () => {
  it('offers a file of ./shared on "get <name>"', async () => {
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'notes.txt'), 'shared notes');
    kit = await startTestKit();
    await kit.runRecipe(recipe('get-rule.yaml'));
    const ann = await kit.user('ann');
    await ann.client.direct('files', 'get notes.txt');
    const file = await ann.nextFile({ from: 'files' });
    expect(file.fileName).toBe('notes.txt');
    expect(file.bytes.toString()).toBe('shared notes');
  });
});

describe('recipes/file-server.yaml (files in memory)', () => {
  it('stores an upload under uploads/<user>/ and gives it back on get', async () => {
    mkdirSync(join(dir, 'shared'));
    kit = await startTestKit();
    await kit.runRecipe(recipe('file-server.yaml'));
    const ann = await kit.user('ann');
    const stored = ann.client.waitFor(
      'direct',
      (d) => d.from === 'files' && d.text.startsWith('Stored '),
      { timeoutMs: 5000 },
    );
    const bytes = Buffer.alloc(256 * 1024, 7);
    await ann.sendFile('files', 'blob.bin', bytes);
    expect((await stored).text).toMatch(/^Stored uploads\/ann\/blob\.bin \(256 KiB\)/);
    await ann.client.direct('files', 'get uploads/ann/blob.bin');
    const back = await ann.nextFile({ from: 'files' });
    expect(back.bytes.equals(bytes)).toBe(true);
  });
});

describe('examples/reminder.ts (fake time)', () => {
  it('reminds after ten minutes, not before; reports hourly; cleanup clears every timer', async () => {
    kit = await startTestKit({ time: 'fake' });
    const run = await kit.run(reminder);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const ok = ann.nextPost({ from: 'reminder' });
    await ann.say('lobby', '!remind 10m stretch');
    expect((await ok).text).toBe('ok ann, in 10m');
    const early = ann.nextPost({ from: 'reminder', timeoutMs: 100 });
    await kit.advance(10 * 60_000 - 1);
    await expect(early).rejects.toMatchObject({ code: 'TIMEOUT' });
    const due = ann.nextPost({ from: 'reminder' });
    await kit.advance(1);
    expect((await due).text).toBe('ann: stretch');

    const ok2 = ann.nextPost({ from: 'reminder' });
    await ann.say('lobby', '!remind 2h water');
    await ok2;
    const hourly = ann.nextPost({ from: 'reminder' });
    await kit.advance(50 * 60_000); // the first hour since the bot started
    expect((await hourly).text).toBe('1 reminder(s) waiting');
    expect(kit.pendingTimers).toBe(2);
    await run.stop();
    expect(kit.pendingTimers).toBe(0);
  });
});
