import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  type FileNegotiation,
  frames,
  Kind,
  MAX_CHUNK_BYTES,
  type OfferFileFrame,
} from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

afterEach(cleanup);

const offerOf = (source: string, target: string, size: number, fileName = 'report.pdf') =>
  ({ source, target, size, fileName, id: 0 }) satisfies FileNegotiation;

/** source offers target a file; returns the offer as the target received it. */
async function offer(
  from: TestClient,
  to: TestClient,
  size: number,
  fileName = 'report.pdf',
): Promise<OfferFileFrame> {
  from.send(frames.offer(offerOf(from.name, to.name, size, fileName)));
  return to.next(
    (f): f is OfferFileFrame => f.kind === Kind.OFFER_FILE && f.fileName === fileName,
  ) as Promise<OfferFileFrame>;
}

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES) {
    out.push(data.subarray(at, at + MAX_CHUNK_BYTES));
  }
  return out;
}

async function receive(c: TestClient, id: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const f = await c.next((x) => x.kind === Kind.FILE_TRANSFER && x.id === id);
    if (f.kind !== Kind.FILE_TRANSFER) throw new Error('unreachable');
    parts.push(Buffer.from(f.data));
    if (f.finished) return Buffer.concat(parts);
  }
}

describe('file relay', () => {
  it('answers an offer to an offline user with REJECT_FILE, same fields, id 0', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    a.send(frames.offer(offerOf('alice', 'ghost', 1234, 'notes.txt')));
    expect(await a.next(Kind.REJECT_FILE)).toEqual(
      frames.reject(offerOf('alice', 'ghost', 1234, 'notes.txt')),
    );
    expect(server.stats.transfers).toBe(0);
  });

  it('relays an accepted file chunk by chunk, in order and unchanged, then forgets it', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const data = randomBytes(3 * MAX_CHUNK_BYTES + 123);
    const offered = await offer(a, b, data.length, 'data with spaces.bin');
    expect(offered).toMatchObject({ source: 'alice', target: 'bob', size: data.length });
    expect(offered.id).toBeGreaterThanOrEqual(1);
    expect(server.stats.transfers).toBe(1);
    b.send(frames.accept(offered));
    expect(await a.next(Kind.ACCEPT_FILE)).toEqual(frames.accept(offered));
    const parts = chunks(data);
    parts.forEach((p, i) => {
      a.send(frames.chunk(offered.id, p, i === parts.length - 1));
    });
    expect((await receive(b, offered.id)).equals(data)).toBe(true);
    await a.sync();
    expect(server.stats.transfers).toBe(0);
    // The id is gone: another chunk for it is illegal.
    a.send(frames.chunk(offered.id, Buffer.from('late')));
    expect(await a.closedWith()).toBe(ErrorCode.ILLEGAL_TRANSFER);
  });

  it('forwards a REJECT_FILE to the offerer and forgets the offer', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const offered = await offer(a, b, 10);
    b.send(frames.reject(offered));
    expect(await a.next(Kind.REJECT_FILE)).toEqual(frames.reject(offered));
    expect(server.stats.transfers).toBe(0);
  });

  it('completes a zero-byte file when the ACCEPT is forwarded', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const offered = await offer(a, b, 0, 'empty');
    b.send(frames.accept(offered));
    expect(await a.next(Kind.ACCEPT_FILE)).toEqual(frames.accept(offered));
    await b.sync();
    expect(server.stats.transfers).toBe(0);
  });

  it('answers a reply that matches no offer with ILLEGAL_NAME, and REJECT id 0 to the named offerer', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const eve = await TestClient.registered(port, 'eve');
    const offered = await offer(a, b, 10);
    // eve is not the target of this transfer.
    eve.send(frames.accept({ ...offered, target: 'eve' }));
    expect(await eve.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
    expect(await a.next(Kind.REJECT_FILE)).toEqual(
      frames.reject({ ...offered, target: 'eve', id: 0 }),
    );
    // The real transfer is untouched.
    b.send(frames.accept(offered));
    expect(await a.next(Kind.ACCEPT_FILE)).toMatchObject({ id: offered.id });
    expect(server.stats.transfers).toBe(1);
    // A second ACCEPT of the same (now accepted) transfer is also illegal.
    b.send(frames.accept(offered));
    expect(await b.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
  });

  it.each([
    ['before the ACCEPT', 'early'],
    ['from the receiver', 'wrong-sender'],
    ['past the declared size', 'too-big'],
  ])('refuses a chunk %s with ILLEGAL_TRANSFER', async (_, kind) => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const offered = await offer(a, b, 5);
    if (kind !== 'early') {
      b.send(frames.accept(offered));
      await a.next(Kind.ACCEPT_FILE);
    }
    const culprit = kind === 'wrong-sender' ? b : a;
    const other = culprit === a ? b : a;
    culprit.send(frames.chunk(offered.id, Buffer.from(kind === 'too-big' ? '123456' : '12')));
    expect(await culprit.closedWith()).toBe(ErrorCode.ILLEGAL_TRANSFER);
    // The other party learns the transfer is over.
    expect(await other.next(Kind.REJECT_FILE)).toMatchObject({ id: offered.id });
  });

  it.each(['offerer', 'receiver'] as const)(
    'sends REJECT_FILE to the other party when the %s goes away mid-transfer',
    async (who) => {
      const { server, port } = await startServer();
      const a = await TestClient.registered(port, 'alice');
      const b = await TestClient.registered(port, 'bob');
      const offered = await offer(a, b, 100_000);
      b.send(frames.accept(offered));
      await a.next(Kind.ACCEPT_FILE);
      a.send(frames.chunk(offered.id, randomBytes(1000)));
      await b.next(Kind.FILE_TRANSFER);
      const [leaving, staying] = who === 'offerer' ? [a, b] : [b, a];
      leaving.destroy();
      expect(await staying.next(Kind.REJECT_FILE)).toEqual(frames.reject(offered));
      await until(() => server.stats.transfers === 0);
      if (who === 'receiver') {
        // Chunks already in flight when the REJECT went out are dropped, not punished.
        a.send(frames.chunk(offered.id, randomBytes(100)));
        expect(await a.query('alice')).toBe(1);
      }
    },
  );

  it('tells the offerer when the target leaves before answering', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const offered = await offer(a, b, 10);
    b.send(frames.clientDeparts('bye'));
    expect(await a.next(Kind.REJECT_FILE)).toEqual(frames.reject(offered));
  });

  it('runs several transfers at once, both directions, with unique ids', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const files = [randomBytes(20_000), randomBytes(9_000), randomBytes(15_000)];
    const o1 = await offer(a, b, files[0]!.length, 'one');
    const o2 = await offer(a, b, files[1]!.length, 'two');
    const o3 = await offer(b, a, files[2]!.length, 'three');
    expect(new Set([o1.id, o2.id, o3.id]).size).toBe(3);
    expect(server.stats.transfers).toBe(3);
    b.send(frames.accept(o1));
    b.send(frames.accept(o2));
    a.send(frames.accept(o3));
    await a.next(Kind.ACCEPT_FILE);
    await a.next(Kind.ACCEPT_FILE);
    await b.next(Kind.ACCEPT_FILE);
    const plan: [TestClient, OfferFileFrame, Buffer[]][] = [
      [a, o1, chunks(files[0]!)],
      [a, o2, chunks(files[1]!)],
      [b, o3, chunks(files[2]!)],
    ];
    // Interleave the chunks of all three.
    for (let i = 0; plan.some(([, , parts]) => i < parts.length); i++) {
      for (const [from, o, parts] of plan) {
        if (i < parts.length) from.send(frames.chunk(o.id, parts[i]!, i === parts.length - 1));
      }
    }
    const [r1, r2, r3] = await Promise.all([
      receive(b, o1.id),
      receive(b, o2.id),
      receive(a, o3.id),
    ]);
    expect(r1.equals(files[0]!)).toBe(true);
    expect(r2.equals(files[1]!)).toBe(true);
    expect(r3.equals(files[2]!)).toBe(true);
    await until(() => server.stats.transfers === 0);
  });

  it('refuses file names the draft forbids', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    await TestClient.registered(port, 'bob');
    const { rawFrame, nameField } = await import('./helpers.js');
    a.sendBytes(
      rawFrame(
        Kind.OFFER_FILE,
        Buffer.concat([
          nameField('bob'),
          nameField('alice'),
          Buffer.alloc(6),
          Buffer.from('../etc/passwd'),
        ]),
      ),
    );
    expect(await a.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
  });
});
