import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

const h = harness();

describe('reconnection', () => {
  it('comes back into its rooms after the server restarts on the same port, sending what was queued', async () => {
    const first = await h.server();
    const port = first.port;
    const alice = await h.client(port, 'alice', {
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    await alice.join('ops');
    await alice.join('dev');
    const events: string[] = [];
    alice.on('disconnect', (d) => void events.push(`disconnect:${d.reason}:${d.willReconnect}`));
    alice.on('reconnecting', (r) => void events.push(`reconnecting:${r.attempt}`));
    const back = alice.waitFor('reconnect');
    back.catch(() => undefined); // awaited below; a failure before that must not go unhandled
    const gone = alice.waitFor('disconnect');

    await first.server.close('restarting');
    await gone;
    expect(alice.connected).toBe(false);
    expect(alice.joined.size).toBe(0);
    // Queued while away (the default with reconnect on), sent once back in the room.
    const queued = alice.say('ops', 'sent while away');

    await h.server({}, port);
    const bob = await h.client(port, 'bob');
    expect(await back).toMatchObject({ attempt: expect.any(Number) });
    expect([...alice.joined].sort()).toEqual(['dev', 'ops']);
    expect(events[0]).toBe('disconnect:server-departed:true');
    expect(events).toContain('reconnecting:1');

    const members = await bob.join('ops');
    expect(members).toContain('alice');
    await queued;
    const live = bob.waitFor('post', (p) => p.text === 'live again');
    await alice.say('ops', 'live again');
    expect(await live).toMatchObject({ room: 'ops', from: 'alice' });
  });

  it("with whileDisconnected: 'reject', sends fail fast while away", async () => {
    const first = await h.server();
    const alice = await h.client(first.port, 'alice', {
      reconnect: { initialDelayMs: 5_000 },
      whileDisconnected: 'reject',
    });
    await alice.join('ops');
    const gone = alice.waitFor('disconnect');
    await first.server.close();
    await gone;
    await expect(alice.say('ops', 'x')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('leave() while away resolves without waiting for a reconnection, and the room is not rejoined', async () => {
    const first = await h.server();
    const port = first.port;
    const alice = await h.client(port, 'alice', {
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    await alice.join('ops');
    await alice.join('dev');
    const gone = alice.waitFor('disconnect');
    await first.server.close('restarting');
    await gone;
    // Nothing listens now: a leave that waited for the next connection would never settle.
    await alice.leave('ops');
    expect(alice.connected).toBe(false);

    const back = alice.waitFor('reconnect');
    await h.server({}, port);
    await back;
    expect([...alice.joined]).toEqual(['dev']);
    await alice.close();
  });
});
