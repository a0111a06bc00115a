import { describe, expect, it } from 'vitest';
import { PresenceTracker } from '../../../src/client/presence.js';
import { frames } from '../../../src/protocol/index.js';

describe('PresenceTracker', () => {
  it('matches answers in order and ignores unsolicited ones', async () => {
    const t = new PresenceTracker('me');
    const q = t.expectQuery('ann');
    const d = t.expectDirect('bob');
    expect(t.onAnswer(frames.queryUser('zed', 1))).toBe('unsolicited');
    expect(t.onAnswer(frames.queryUser('ann', 0))).toBe('query');
    expect(t.onAnswer(frames.queryUser('bob', 0))).toBe('direct-dropped');
    expect(t.onAnswer(frames.queryUser('me', 1))).toBe('barrier');
    expect(await q).toBe(false);
    expect(await d).toBe(false);
    const self = t.expectDirect('me');
    expect(t.onAnswer(frames.queryUser('me', 1))).toBe('barrier');
    expect(await self).toBe(true);
    const lost = t.expectQuery('x');
    t.failAll(new Error('gone'));
    await expect(lost).rejects.toThrow('gone');
  });
});
