import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

describe('smoke', () => {
  const h = harness();
  it('connect, join, say, onPost', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    expect(await alice.join('ops')).toEqual(['alice']);
    expect(await bob.join('ops')).toEqual(['alice', 'bob']);
    const got = alice.waitFor('post', (p) => p.from === 'bob');
    await bob.say('ops', 'hello');
    expect((await got).text).toBe('hello');
  });
});
