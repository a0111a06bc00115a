import { afterEach, describe, expect, it } from 'vitest';
import reminder from '../../../examples/reminder.js';
import { startTestKit, type TestKit } from '../../../src/testing/index.js';

// The bundled examples, tested the way their authors would: with relaykit/testing.

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
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
