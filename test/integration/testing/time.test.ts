import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../../src/modules/index.js';
import { startTestKit, type TestKit } from '../../../src/testing/index.js';

let kit: TestKit | undefined;
let dir: string | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('relaykit/testing fake time', () => {
  it('an every: rule fires only when the test advances, once per interval', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-time-'));
    const file = join(dir, 'ticker.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'bots:',
        '  - name: ticker',
        '    rooms: [lobby]',
        '    on:',
        '      - every: 1h',
        '        do:',
        '          - post: { room: lobby, text: "tick {count}" }',
        '',
      ].join('\n'),
    );
    kit = await startTestKit({ time: 'fake' });
    await kit.runRecipe(file);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const early = ann.nextPost({ from: 'ticker', timeoutMs: 200 });
    await kit.advance(3_599_999);
    await expect(early).rejects.toMatchObject({ code: 'TIMEOUT' });
    const first = ann.nextPost({ from: 'ticker' });
    await kit.advance(1);
    expect((await first).text).toBe('tick 1');
    const texts: string[] = [];
    const two = new Promise<void>((resolve) => {
      ann.client.on('post', (p) => {
        if (p.from === 'ticker' && texts.push(p.text) === 2) resolve();
      });
    });
    await kit.advance(2 * 3_600_000);
    await two;
    expect(texts).toEqual(['tick 2', 'tick 3']);
  });

  it('a module bot gets the kit’s clock in setup; its cleanup clears its timers', async () => {
    kit = await startTestKit({ time: 'fake' });
    const start = kit.clock.now();
    let sawNow = 0;
    const bot = defineBot({
      name: 'napper',
      setup(_client, { clock }) {
        const t = clock.setInterval(() => {
          sawNow = clock.now();
        }, 1000);
        return () => clock.clearInterval(t);
      },
    });
    const run = await kit.run(bot);
    expect(kit.pendingTimers).toBe(1);
    await kit.advance(2500);
    expect(sawNow).toBe(start + 2000);
    await run.stop();
    expect(kit.pendingTimers).toBe(0);
  });

  it('with real time, advance and pendingTimers say how to get fake time', async () => {
    kit = await startTestKit();
    const k = kit;
    await expect(k.advance(10)).rejects.toMatchObject({
      code: 'FAKE_CLOCK',
      message: expect.stringContaining("startTestKit({ time: 'fake' })"),
    });
    expect(() => k.pendingTimers).toThrow(/needs fake time/);
  });
});
