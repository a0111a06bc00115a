import { describe, expect, it } from 'vitest';
import greeter from '../../../examples/greeter.js';
import reminder from '../../../examples/reminder.js';
import { defineBot } from '../../../src/modules/index.js';
import { startTestKit } from '../../../src/testing/index.js';

describe('relaykit/testing', () => {
  it('runs a bot against a real server; a user gets its reply; close leaves nothing open', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    const kit = await startTestKit();
    await kit.run(greeter);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const reply = ann.nextPost({ from: 'greeter' });
    await ann.say('lobby', '!hi');
    expect((await reply).text).toBe('hi ann');
    await kit.close();
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    expect(after).toEqual(before);
  });

  it('close leaves nothing open after files, an unanswered offer and fake time', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    const kit = await startTestKit({ time: 'fake' });
    await kit.run(reminder);
    // Offers ann a file she never answers: it is still in flight when the kit closes.
    await kit.run(
      defineBot({
        name: 'pusher',
        setup(client) {
          client.onDirect((ctx) => void client.sendFile(ctx.from, Buffer.from('x'), { name: 'x' }));
        },
      }),
    );
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const ok = ann.nextPost({ from: 'reminder' });
    await ann.say('lobby', '!remind 1h tea');
    await ok;
    await ann.client.direct('pusher', 'go');
    await ann.nextOffer({ from: 'pusher' });
    await ann.sendFile('pusher', 'n.txt', 'n').catch(() => {}); // nobody accepts: rejected
    await kit.advance(30 * 60_000);
    await kit.close();
    expect(kit.pendingTimers).toBe(0);
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    expect(after).toEqual(before);
  });
});
