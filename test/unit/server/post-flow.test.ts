import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACK_STEP_BYTES,
  HOLD_TTL_MS,
  type PostControl,
  PostFlow,
  postWindow,
  SILENT_MS,
  TICK_MS,
  WINDOW_BYTES,
} from '../../../src/server/cluster/post-flow.js';

/** A PostFlow whose messages, probes and wake-ups are recorded. */
function flow() {
  const sent: { node: string; message: Omit<PostControl, 'n'> }[] = [];
  const probes: number[] = [];
  const silent: string[] = [];
  let wakes = 0;
  const f = new PostFlow({
    send: (node, message) => sent.push({ node, message }),
    probe: (room) => probes.push(room === undefined ? f.seq : -1),
    mayFlow: () => {
      wakes++;
    },
    silent: (node) => silent.push(node),
  });
  return { f, sent, probes, silent, wakes: () => wakes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PostFlow as the posting node', () => {
  it('shuts once a live node is more than a window behind, and opens on its acknowledgement', () => {
    const { f, wakes } = flow();
    f.nodeJoined('b');
    const seq = f.published(WINDOW_BYTES);
    expect(f.mayPost('ops')).toBe(true);
    const past = f.published(1);
    expect(f.mayPost('ops')).toBe(false);
    expect(f.mayPost('other')).toBe(false);
    // An acknowledgement that still leaves it a window behind changes nothing.
    f.control({ t: 'pa', n: 'b', s: 0 });
    expect(f.mayPost('ops')).toBe(false);
    f.control({ t: 'pa', n: 'b', s: seq });
    expect(f.mayPost('ops')).toBe(true);
    expect(wakes()).toBe(1);
    expect(past).toBe(seq + 1);
    f.close();
  });

  it('probes a shut window every tick, and stops waiting for a node silent for SILENT_MS', () => {
    const { f, probes, silent, wakes } = flow();
    f.nodeJoined('b');
    f.published(WINDOW_BYTES + 10);
    expect(f.mayPost('ops')).toBe(false);
    vi.advanceTimersByTime(TICK_MS);
    expect(probes).toEqual([WINDOW_BYTES + 10]);
    vi.advanceTimersByTime(SILENT_MS - TICK_MS);
    expect(f.mayPost('ops')).toBe(false);
    expect(silent).toEqual([]);
    vi.advanceTimersByTime(TICK_MS);
    expect(f.mayPost('ops')).toBe(true);
    expect(wakes()).toBe(1);
    // Said once, not on every post meanwhile.
    f.published(10);
    f.published(10);
    expect(silent).toEqual(['b']);
    // Waited for again once it answers.
    f.control({ t: 'pa', n: 'b', s: f.seq });
    f.published(WINDOW_BYTES + 1);
    expect(f.mayPost('ops')).toBe(false);
    f.close();
  });

  it('opens at once when the lagging node is gone', () => {
    const { f } = flow();
    f.nodeJoined('b');
    f.nodeJoined('c');
    f.published(WINDOW_BYTES + 1);
    f.control({ t: 'pa', n: 'c', s: WINDOW_BYTES + 1 });
    expect(f.mayPost('ops')).toBe(false);
    f.nodeGone('b');
    expect(f.mayPost('ops')).toBe(true);
    f.close();
  });

  it('ignores an acknowledgement overtaken by a later one', () => {
    const { f } = flow();
    f.nodeJoined('b');
    f.published(WINDOW_BYTES);
    f.control({ t: 'pa', n: 'b', s: WINDOW_BYTES });
    f.control({ t: 'pa', n: 'b', s: 10 });
    f.published(WINDOW_BYTES);
    expect(f.mayPost('ops')).toBe(true);
    f.close();
  });

  it('counts modulo 2^32', () => {
    const { f } = flow();
    f.published(0xffff_fff0);
    f.nodeJoined('b');
    const seq = f.published(0x20);
    expect(seq).toBe(0x10);
    f.published(WINDOW_BYTES);
    expect(f.mayPost('ops')).toBe(false);
    f.control({ t: 'pa', n: 'b', s: seq });
    expect(f.mayPost('ops')).toBe(true);
    f.close();
  });

  it('holds a room another node asks it to, until released', () => {
    const { f, wakes } = flow();
    f.control({ t: 'ph', n: 'b', r: 'ops' });
    f.control({ t: 'ph', n: 'c', r: 'ops' });
    expect(f.mayPost('ops')).toBe(false);
    expect(f.mayPost('lobby')).toBe(true);
    f.control({ t: 'pr', n: 'b', r: 'ops' });
    expect(f.mayPost('ops')).toBe(false);
    f.control({ t: 'pr', n: 'c', r: 'ops' });
    expect(f.mayPost('ops')).toBe(true);
    expect(wakes()).toBe(2);
    f.close();
  });

  it('drops a hold not refreshed for HOLD_TTL_MS, and one whose node is gone', () => {
    const { f, wakes } = flow();
    f.control({ t: 'ph', n: 'b', r: 'ops' });
    vi.advanceTimersByTime(HOLD_TTL_MS - TICK_MS);
    f.control({ t: 'ph', n: 'b', r: 'ops' });
    vi.advanceTimersByTime(HOLD_TTL_MS - TICK_MS);
    expect(f.mayPost('ops')).toBe(false);
    vi.advanceTimersByTime(TICK_MS * 2);
    expect(f.mayPost('ops')).toBe(true);
    expect(wakes()).toBe(1);
    f.control({ t: 'ph', n: 'c', r: 'ops' });
    f.nodeGone('c');
    expect(f.mayPost('ops')).toBe(true);
    f.close();
  });
});

describe('the window', () => {
  it('is a quarter of a small output limit, at most WINDOW_BYTES, acknowledged every quarter', () => {
    expect(postWindow(4 * 1024 * 1024)).toBe(WINDOW_BYTES);
    expect(postWindow(Number.POSITIVE_INFINITY)).toBe(WINDOW_BYTES);
    expect(postWindow(256 * 1024)).toBe(64 * 1024);
    const sent: string[] = [];
    const f = new PostFlow(
      {
        send: (_node, m) => sent.push(`${m.t} ${m.s}`),
        probe: () => {},
        mayFlow: () => {},
        silent: () => {},
      },
      postWindow(256 * 1024),
    );
    f.nodeJoined('b');
    f.published(64 * 1024);
    expect(f.mayPost('ops')).toBe(true);
    f.published(1);
    expect(f.mayPost('ops')).toBe(false);
    f.received('a', 0, 1);
    f.received('a', 16 * 1024 - 1, 1);
    f.received('a', 16 * 1024, 1);
    expect(sent).toEqual(['pa 0', `pa ${16 * 1024}`]);
    f.close();
    // A node that asks for a smaller window than this node's own gets it.
    const big = new PostFlow({
      send: () => {},
      probe: () => {},
      mayFlow: () => {},
      silent: () => {},
    });
    big.nodeJoined('b');
    big.control({ t: 'pa', n: 'b', s: 0, w: 64 * 1024 });
    big.published(64 * 1024 + 1);
    expect(big.mayPost('ops')).toBe(false);
    big.close();
  });
});

describe('PostFlow as a receiving node', () => {
  it('acknowledges the first message, then every ACK_STEP_BYTES, and every probe at once', () => {
    const { f, sent } = flow();
    f.received('a', 100, 1);
    f.received('a', 100 + ACK_STEP_BYTES - 1, 5);
    f.received('a', 100 + ACK_STEP_BYTES, 5);
    f.received('a', 100 + ACK_STEP_BYTES + 1, 0);
    expect(sent).toEqual([
      { node: 'a', message: { t: 'pa', s: 100, w: WINDOW_BYTES } },
      { node: 'a', message: { t: 'pa', s: 100 + ACK_STEP_BYTES, w: WINDOW_BYTES } },
      { node: 'a', message: { t: 'pa', s: 100 + ACK_STEP_BYTES + 1, w: WINDOW_BYTES } },
    ]);
  });

  it('asks for a hold once, refreshes it every tick, and releases it', () => {
    const { f, sent } = flow();
    f.hold('ops', 'a');
    f.hold('ops', 'a');
    expect(sent).toEqual([{ node: 'a', message: { t: 'ph', r: 'ops' } }]);
    vi.advanceTimersByTime(TICK_MS * 2);
    expect(sent.filter((s) => s.message.t === 'ph')).toHaveLength(3);
    f.release('ops', 'a');
    f.release('ops', 'a');
    expect(sent.at(-1)).toEqual({ node: 'a', message: { t: 'pr', r: 'ops' } });
    vi.advanceTimersByTime(TICK_MS * 4);
    expect(sent.filter((s) => s.message.t === 'ph')).toHaveLength(3);
    expect(sent.filter((s) => s.message.t === 'pr')).toHaveLength(1);
  });

  it('acknowledges none of a node’s posts from asking a hold until that node confirms it', () => {
    const { f, sent } = flow();
    const acks = () => sent.filter((s) => s.message.t === 'pa').map((s) => s.message.s);
    f.received('a', 10, 1);
    f.hold('ops', 'a');
    f.received('a', 10 + ACK_STEP_BYTES, 3);
    f.received('a', 20 + ACK_STEP_BYTES, 0);
    // Other nodes are acknowledged as usual meanwhile.
    f.received('c', 5, 1);
    expect(acks()).toEqual([10, 5]);
    // The probe for the room confirms the hold: acknowledged at once, and as usual from then.
    f.received('a', 30 + ACK_STEP_BYTES, 0, 'ops');
    expect(acks()).toEqual([10, 5, 30 + ACK_STEP_BYTES]);
    f.close();
  });

  it('acknowledges what it held back once the hold is released unconfirmed', () => {
    const { f, sent } = flow();
    f.received('a', 10, 1);
    f.hold('ops', 'a');
    f.received('a', 10 + ACK_STEP_BYTES, 3);
    f.release('ops', 'a');
    expect(sent.at(-1)).toEqual({
      node: 'a',
      message: { t: 'pa', s: 10 + ACK_STEP_BYTES, w: WINDOW_BYTES },
    });
    f.close();
  });

  it('confirms a hold it is asked for with a probe for the room', () => {
    const { f, probes } = flow();
    f.control({ t: 'ph', n: 'b', r: 'ops' });
    expect(probes).toEqual([-1]);
    f.close();
  });

  it('asks again after Redis came back, and opens a shut window', () => {
    const { f, sent } = flow();
    f.nodeJoined('b');
    f.published(WINDOW_BYTES + 1);
    f.hold('ops', 'a');
    f.control({ t: 'ph', n: 'c', r: 'lobby' });
    f.reset();
    expect(f.mayPost('ops')).toBe(true);
    expect(f.mayPost('lobby')).toBe(true);
    vi.advanceTimersByTime(TICK_MS);
    expect(sent.filter((s) => s.message.t === 'ph')).toHaveLength(2);
    f.close();
  });
});
