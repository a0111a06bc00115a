import { describe, expect, it } from 'vitest';
import { connect } from '../../../src/client/index.js';
import { PostWindow } from '../../../src/client/post-window.js';
import { frames, Kind, type SendMessageFrame } from '../../../src/protocol/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';
import { cleanup, fakeClient } from './fake-setup.js';

const texts = (peer: FakePeer): string[] =>
  peer.received
    .filter((f): f is SendMessageFrame => f.kind === Kind.SEND_MESSAGE)
    .map((f) => f.text);

async function joined(peer: FakePeer, join: Promise<unknown>, room = 'r'): Promise<void> {
  await peer.next(Kind.ENTER_ROOM);
  peer.send(frames.userListing(room, ['me']));
  await join;
}

/** Resolves with every post `peer` received, once there are at least `n`. */
async function posts(peer: FakePeer, n: number): Promise<string[]> {
  await peer.until((f) => f.filter((x) => x.kind === Kind.SEND_MESSAGE).length >= n);
  return texts(peer);
}

describe('PostWindow', () => {
  it('counts posts until their echo, releases older ones a matching echo skips, ignores strangers', () => {
    const w = new PostWindow(3);
    w.sent('a', ['1', '2']);
    w.sent('b', ['x']);
    expect(w.fits('a', 1)).toBe(true);
    expect(w.fits('a', 2)).toBe(false);
    expect(w.fits('b', 2)).toBe(true);
    w.echo('a', 'farewell'); // matches nothing: not ours
    expect(w.unacked).toBe(3);
    w.echo('a', '2'); // '1' was dropped by the server
    expect(w.unacked).toBe(1);
    expect(w.fits('a', 3)).toBe(true);
    expect(w.fits('c', 50)).toBe(true); // a batch bigger than the window goes alone
  });

  it('hands back what is unacknowledged across rooms in write order; idle() waits for the resend', async () => {
    const w = new PostWindow(10);
    w.sent('a', ['1']);
    w.sent('b', ['2']);
    w.sent('a', ['3']);
    w.echo('a', '1');
    let idle = false;
    void w.idle().then(() => (idle = true));
    expect(w.release(() => true)).toEqual([
      { room: 'b', text: '2' },
      { room: 'a', text: '3' },
    ]);
    await Promise.resolve();
    expect(idle).toBe(false);
    w.sent('b', ['2']);
    w.sent('a', ['3']);
    w.echo('b', '2');
    w.echo('a', '3');
    await Promise.resolve();
    expect(idle).toBe(true);
    w.sent('a', ['4']);
    const failed = w.idle().catch((e: Error) => e.message);
    w.fail(new Error('gone'));
    expect(await failed).toBe('gone');
  });
});

describe('client post window', () => {
  it('writes at most postWindow unacknowledged posts per room; each echo lets one more go', async () => {
    const { client, peer } = await fakeClient({ postWindow: 3 });
    await joined(peer, client.join('r'));
    const said = Array.from({ length: 6 }, (_, i) => client.say('r', `m${i}`));
    expect(await posts(peer, 3)).toEqual(['m0', 'm1', 'm2']);
    // The client counts what it wrote: the other three wait in its outbox.
    expect(client.unacknowledged).toBe(3);
    peer.send(frames.post('r', 'me', 'm0'));
    expect(await posts(peer, 4)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(client.unacknowledged).toBe(3);
    let acked = false;
    void client.acknowledged().then(() => (acked = true));
    peer.send(frames.post('r', 'someone', 'm1')); // not our echo
    peer.send(frames.post('r', 'me', 'm3')); // m1 and m2 were dropped, m3 arrived
    expect(await posts(peer, 6)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    await Promise.all(said);
    expect(acked).toBe(false);
    peer.send(frames.post('r', 'me', 'm4'), frames.post('r', 'me', 'm5'));
    await client.acknowledged();
    expect(client.unacknowledged).toBe(0);
  });

  it('after a dropped connection resends from the first unacknowledged post, in order, before newer ones', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({
      name: 'me',
      port,
      postWindow: 4,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
    });
    cleanup.push(() => client.close());
    const first = await server.peer(0);
    await joined(first, client.join('r'));
    const said = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => client.say('r', t));
    expect(await posts(first, 4)).toEqual(['a', 'b', 'c', 'd']);
    first.send(frames.post('r', 'me', 'a'));
    expect(await posts(first, 5)).toEqual(['a', 'b', 'c', 'd', 'e']);
    first.socket.destroy();
    await client.waitFor('disconnect');
    const later = client.say('r', 'g');

    const second = await server.peer(1);
    await joined(second, client.waitFor('reconnect'));
    // b..e were never echoed: they go again, then f and g, which never left.
    expect(await posts(second, 4)).toEqual(['b', 'c', 'd', 'e']);
    expect(client.unacknowledged).toBe(4); // f and g wait for room in the window
    for (const t of ['b', 'c', 'd', 'e']) second.send(frames.post('r', 'me', t));
    expect(await posts(second, 6)).toEqual(['b', 'c', 'd', 'e', 'f', 'g']);
    await Promise.all([...said, later]); // none failed: they were resent, not lost
    for (const t of ['f', 'g']) second.send(frames.post('r', 'me', t));
    await client.acknowledged();
  });

  it('while reconnecting, acknowledged() resolves at once when every post was already echoed', async () => {
    // `tail -f log | relaykit say` whose server went away after the last echo: stdin ends,
    // and waiting for a server that may never return would hang the command for ever.
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({
      name: 'me',
      port,
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    cleanup.push(() => client.close());
    const peer = await server.peer(0);
    await joined(peer, client.join('r'));
    await client.say('r', 'one');
    peer.send(frames.post('r', 'me', 'one'));
    await client.acknowledged();
    peer.socket.destroy();
    await client.waitFor('disconnect');
    expect(client.connected).toBe(false);
    const settled = await Promise.race([
      client.acknowledged().then(() => 'acknowledged'),
      new Promise((resolve) => setImmediate(() => setImmediate(() => resolve('waiting')))),
    ]);
    expect(settled).toBe('acknowledged');
  });

  it('without reconnect, acknowledged() fails when the connection drops with posts unechoed', async () => {
    const { client, peer } = await fakeClient();
    await joined(peer, client.join('r'));
    await client.say('r', 'one');
    const acked = client.acknowledged().catch((e: { code?: string }) => e.code);
    peer.socket.destroy();
    expect(await acked).toBe('DISCONNECTED');
  });
});
