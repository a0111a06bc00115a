import { describe, expect, it } from 'vitest';
import greeter from '../../../examples/greeter.js';
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
});
