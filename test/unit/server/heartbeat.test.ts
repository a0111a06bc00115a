import { describe, expect, it } from 'vitest';
import { HeartbeatSweeper } from '../../../src/server/heartbeat.js';
import type { ServerSession } from '../../../src/server/session.js';

/** Just what the sweep reads of a session, and a count of the heartbeats it was sent. */
function fakeSession(id: number) {
  return {
    id,
    state: 'registered',
    conn: { lastReceivedAt: Date.now() },
    blockedOn: new Set(),
    remoteWaits: 0,
    blockedSenders: new Set(),
    holdsRemote: false,
    blockedSince: 0,
    beats: 0,
    sendRaw() {
      this.beats++;
      return true;
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HeartbeatSweeper', () => {
  it('writes a sweep’s heartbeats 32 per turn of the event loop, to every registered session', async () => {
    const sessions = Array.from({ length: 70 }, (_, i) => fakeSession(i));
    const sweeper = new HeartbeatSweeper({
      intervalMs: 4_000,
      timeoutMs: 30_000,
      sessions: () => sessions as unknown as ServerSession[],
      silent: () => {},
      stalled: () => {},
    });
    const sent = () => sessions.reduce((n, s) => n + s.beats, 0);
    sweeper.sweep();
    expect(sent()).toBe(32);
    sessions[40]!.state = 'closed'; // gone before its turn: nothing is written to it
    await turn();
    expect(sent()).toBe(63);
    await turn();
    expect(sent()).toBe(69);
    expect(sessions[40]!.beats).toBe(0);
    // A sweep that finds the last one's heartbeats unsent writes those first.
    sweeper.sweep();
    sweeper.sweep();
    expect(sessions.every((s) => s.beats === (s.id === 40 ? 0 : s.id < 32 ? 3 : 2))).toBe(true);
    sweeper.stop();
    await turn();
    expect(sent()).toBe(69 + 32 + 69);
  });
});
