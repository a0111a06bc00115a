import { describe, expect, it } from 'vitest';
import { createOutput } from '../../../src/cli/output.js';
import { ServerPlan } from '../../../src/cli/server-plan.js';
import { roomName } from '../../../src/room-notation.js';

describe('ServerPlan', () => {
  it('starts the bundled server once when bots resolve it at the same time (run recipes/relay.yaml)', async () => {
    const notices: string[] = [];
    const sink = { write: (s: string) => notices.push(s) } as unknown as NodeJS.WritableStream;
    const output = createOutput({ stdout: sink, stderr: sink, env: {} });
    const plan = new ServerPlan(
      undefined,
      new Map(),
      { output, tls: { explicit: [] } as never },
      0,
    );
    try {
      const [a, b] = await Promise.all([
        plan.resolve(undefined),
        plan.resolve({ kind: 'bundled', text: 'bundled' } as never),
      ]);
      expect(b).toEqual(a);
      expect(notices.join('')).toMatch(/started the bundled server/);
      expect(notices.join('')).not.toMatch(/already running/);
      expect(notices).toHaveLength(1);
    } finally {
      await plan.close();
    }
  });
});

describe('roomName', () => {
  it.each([
    ['#ops', 'ops'],
    ['ops', 'ops'],
    ['##ops', '#ops'],
  ])('%s is the room %s', (text, room) => {
    expect(roomName(text)).toBe(room);
  });
});
