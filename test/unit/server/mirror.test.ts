import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GAP_MS, Mirrors, type RoomDelta } from '../../../src/server/cluster/mirror.js';

const join = (name: string, prev: number, version: number, node = 'b'): RoomDelta => ({
  kind: 'join',
  room: 'ops',
  name,
  node,
  prev,
  version,
});

describe('Mirrors: a gap in a room’s changes', () => {
  let resyncs: [string, boolean][];
  let mirrors: Mirrors;
  beforeEach(() => {
    vi.useFakeTimers();
    resyncs = [];
    mirrors = new Mirrors((room, force) => resyncs.push([room, force]));
    mirrors.snapshot('ops', 5, [['alice', 'a']]);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('that closes in time is applied in order, and the room is not re-read', () => {
    expect(mirrors.apply(join('carol', 6, 7))).toBe(false);
    expect([...mirrors.names('ops')]).toEqual(['alice']);
    expect(mirrors.apply(join('bob', 5, 6))).toBe(true);
    expect([...mirrors.names('ops')]).toEqual(['alice', 'bob', 'carol']);
    vi.advanceTimersByTime(GAP_MS * 3);
    expect(resyncs).toEqual([]);
  });

  it('that stays open has the room re-read (forced) once GAP_MS has passed', () => {
    mirrors.apply(join('carol', 6, 7));
    mirrors.apply(join('dave', 7, 8));
    vi.advanceTimersByTime(GAP_MS - 1);
    expect(resyncs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(resyncs).toEqual([['ops', true]]);
    // Redis's copy, newer than the missing change, unsticks the held ones after it.
    expect(
      mirrors.snapshot(
        'ops',
        7,
        [
          ['alice', 'a'],
          ['bob', 'b'],
          ['carol', 'b'],
        ],
        true,
      ),
    ).toBe(true);
    expect([...mirrors.names('ops')]).toEqual(['alice', 'bob', 'carol', 'dave']);
    vi.advanceTimersByTime(GAP_MS * 3);
    expect(resyncs).toHaveLength(1);
  });

  it('of a room dropped meanwhile asks for nothing', () => {
    mirrors.apply(join('carol', 6, 7));
    mirrors.drop('ops');
    vi.advanceTimersByTime(GAP_MS * 3);
    expect(resyncs).toEqual([]);
  });

  it('left open by a re-read is watched again', () => {
    mirrors.apply(join('dave', 8, 9));
    vi.advanceTimersByTime(GAP_MS);
    expect(resyncs).toHaveLength(1);
    // The copy read is still older than the change held: the gap (7 → 8) is still open.
    mirrors.snapshot('ops', 7, [['alice', 'a']], true);
    vi.advanceTimersByTime(GAP_MS);
    expect(resyncs).toHaveLength(2);
  });
});
