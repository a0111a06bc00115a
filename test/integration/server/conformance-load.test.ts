import { afterEach, describe, expect, it } from 'vitest';
import { encode, frames, Kind, type OfferFileFrame } from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

// Conformance under load (CLARIFICATIONS §6.3, draft §6.5.1): every transfer id in use, and a
// room whose slowest member must not hold back the others.

afterEach(cleanup);

describe('transfer ids', () => {
  it('answers an offer as if the target were offline once all 65535 ids are in use', async () => {
    const { server, port } = await startServer({ maxOutputBytes: 64 * 1024 * 1024 });
    const b = await TestClient.registered(port, 'bob');
    const offer = (source: string, fileName: string) =>
      frames.offer({ source, target: 'bob', id: 0, size: 1, fileName });
    // 64 clients each offer as many as one client may (the last one fewer): 65535 in all.
    const hogs: TestClient[] = [];
    for (let i = 0; i < 64; i++) {
      const hog = await TestClient.registered(port, `hog${i}`);
      const n = i === 63 ? 1_023 : 1_024;
      hog.sendBytes(Buffer.concat(Array.from({ length: n }, () => encode(offer(hog.name, 'x')))));
      hogs.push(hog);
    }
    await until(() => server.stats.transfers === 0xffff, 20_000);
    const a = await TestClient.registered(port, 'alice');
    a.send(offer('alice', 'one-too-many'));
    expect(await a.next(Kind.REJECT_FILE)).toEqual(
      frames.reject({ source: 'alice', target: 'bob', id: 0, size: 1, fileName: 'one-too-many' }),
    );
    // Once one offer is answered its id is free again.
    const first = (await b.next(Kind.OFFER_FILE)) as OfferFileFrame;
    b.send(frames.reject(first));
    await hogs[0]!.next((f) => f.kind === Kind.REJECT_FILE && f.id === first.id);
    a.send(offer('alice', 'fits-again'));
    expect(
      await b.next((f) => f.kind === Kind.OFFER_FILE && f.fileName === 'fits-again'),
    ).toMatchObject({ id: first.id });
  });
});

describe('transfer ids per client', () => {
  it('lets one client hold at most 1024 live offers, so it cannot take every id from the others', async () => {
    const { server, port } = await startServer({ maxOutputBytes: 64 * 1024 * 1024 });
    const hog = await TestClient.registered(port, 'hog');
    const b = await TestClient.registered(port, 'bob');
    const c = await TestClient.registered(port, 'carol');
    const offer = (source: string, fileName: string) =>
      frames.offer({ source, target: 'bob', id: 0, size: 1, fileName });
    hog.sendBytes(Buffer.concat(Array.from({ length: 1_024 }, () => encode(offer('hog', 'x')))));
    await until(() => server.stats.transfers === 1_024);
    hog.send(offer('hog', 'one-more'));
    expect(await hog.next(Kind.REJECT_FILE)).toEqual(
      frames.reject({ source: 'hog', target: 'bob', id: 0, size: 1, fileName: 'one-more' }),
    );
    c.send(offer('carol', 'mine'));
    expect(await b.next((f) => f.kind === Kind.OFFER_FILE && f.fileName === 'mine')).toMatchObject({
      source: 'carol',
    });
    // An answered offer frees its place.
    const first = (await b.next(
      (f) => f.kind === Kind.OFFER_FILE && f.source === 'hog',
    )) as OfferFileFrame;
    b.send(frames.reject(first));
    await hog.next((f) => f.kind === Kind.REJECT_FILE && f.id === first.id);
    hog.send(offer('hog', 'fits-again'));
    expect(
      await b.next((f) => f.kind === Kind.OFFER_FILE && f.fileName === 'fits-again'),
    ).toMatchObject({
      source: 'hog',
    });
  });
});

describe('fan-out', () => {
  it('delivers every post to the members who read while one member reads nothing', async () => {
    const { server, port } = await startServer({ maxOutputBytes: 64 * 1024 * 1024 });
    const members = [];
    for (const name of ['loud', 'fast1', 'fast2', 'slow']) {
      const c = await TestClient.registered(port, name);
      c.send(frames.enterRoom('big'));
      await c.sync();
      members.push(c);
    }
    const [loud, fast1, fast2, slow] = members as [TestClient, TestClient, TestClient, TestClient];
    for (const c of members) await c.sync();
    slow.socket.pause();
    const text = 'y'.repeat(11_000);
    const count = 1_000;
    const post = encode(frames.send('big', text));
    loud.sendBytes(Buffer.concat(Array.from({ length: count }, () => post)));
    for (const c of [fast1, fast2, loud]) {
      for (let i = 0; i < count; i++) await c.next(Kind.POST_MESSAGE);
    }
    // The slow member is still connected, its posts waiting at the server, not in front of the others.
    const queued = server.inspect('slow')!;
    expect(queued.bufferedBytes).toBeGreaterThan(0);
    slow.socket.resume();
    for (let i = 0; i < count; i++) await slow.next(Kind.POST_MESSAGE);
  });
});

describe('garbage', () => {
  it('survives random bytes from many clients, registered or not, and keeps serving', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    for (const c of [a, b]) c.send(frames.enterRoom('ops'));
    await a.sync();
    await b.sync();
    await a.sync();
    let seed = 0x2545f491;
    const random = (n: number) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        out[i] = seed & 0xff;
      }
      return out;
    };
    const noisy: TestClient[] = [];
    for (let i = 0; i < 40; i++) {
      const c =
        i % 2 === 0
          ? await TestClient.registered(port, `noisy${i}`)
          : await TestClient.connect(port);
      // Start with a plausible header now and then, so some garbage gets past the first check.
      const head = i % 4 < 2 ? Buffer.from([(i % 0x13) + 1, 0, 0, 0, i]) : Buffer.alloc(0);
      c.sendBytes(Buffer.concat([head, random(512 + i * 37)]));
      noisy.push(c);
    }
    for (const c of noisy) c.destroy();
    await until(() => server.stats.connections === 2);
    a.send(frames.send('ops', 'still here'));
    expect(await b.next(Kind.POST_MESSAGE)).toEqual(frames.post('ops', 'alice', 'still here'));
    expect(server.stats).toMatchObject({ users: 2, rooms: 1, transfers: 0 });
  });
});
