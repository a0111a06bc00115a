import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { cleanup, nameField, rawFrame, startServer, TestClient, until } from './helpers.js';

afterEach(cleanup);

const text = (s: string) => Buffer.from(`${s}\0`);

// Each case: bytes a registered client sends, and the ERR code it must get before the close.
const cases: { what: string; bytes: () => Buffer; code: number }[] = [
  { what: 'an unknown kind byte', bytes: () => rawFrame(0x7f), code: ErrorCode.ILLEGAL_KIND },
  {
    what: 'a kind only servers send (POST_MESSAGE)',
    bytes: () =>
      rawFrame(Kind.POST_MESSAGE, Buffer.concat([nameField('ops'), nameField('x'), text('hi')])),
    code: ErrorCode.ILLEGAL_KIND,
  },
  {
    what: 'a wrong length for the kind',
    bytes: () => rawFrame(Kind.ENTER_ROOM, Buffer.from('ops\0')),
    code: ErrorCode.ILLEGAL_LENGTH,
  },
  {
    what: 'a header claiming 4 GiB',
    bytes: () => Buffer.from([Kind.SEND_MESSAGE, 0xff, 0xff, 0xff, 0xff]),
    code: ErrorCode.ILLEGAL_LENGTH,
  },
  {
    what: 'a chunk with no data',
    bytes: () => rawFrame(Kind.FILE_TRANSFER, Buffer.from([0, 1, 0])),
    code: ErrorCode.ILLEGAL_LENGTH,
  },
  {
    what: 'a room name with a space',
    bytes: () => rawFrame(Kind.ENTER_ROOM, nameField('two words')),
    code: ErrorCode.ILLEGAL_NAME,
  },
  {
    what: 'a room name with a bidi control',
    bytes: () => rawFrame(Kind.ENTER_ROOM, nameField('evil\u202e')),
    code: ErrorCode.ILLEGAL_NAME,
  },
  {
    what: 'a message with a newline',
    bytes: () => rawFrame(Kind.SEND_MESSAGE, Buffer.concat([nameField('ops'), text('a\nb')])),
    code: ErrorCode.ILLEGAL_MESSAGE,
  },
  {
    what: 'a message without its NUL',
    bytes: () => rawFrame(Kind.SEND_MESSAGE, Buffer.concat([nameField('ops'), Buffer.from('hi')])),
    code: ErrorCode.ILLEGAL_MESSAGE,
  },
  {
    what: 'invalid UTF-8 in a direct message',
    bytes: () =>
      rawFrame(
        Kind.DIRECT_MESSAGE,
        Buffer.concat([nameField('bob'), Buffer.from([0xc3, 0x28, 0])]),
      ),
    code: ErrorCode.ILLEGAL_MESSAGE,
  },
  {
    what: 'a farewell with an embedded NUL',
    bytes: () => rawFrame(Kind.CLIENT_DEPARTS, Buffer.from('bye\0now\0')),
    code: ErrorCode.ILLEGAL_MESSAGE,
  },
  {
    what: 'a chunk with finished = 2',
    bytes: () => rawFrame(Kind.FILE_TRANSFER, Buffer.from([0, 1, 2, 0x41])),
    code: ErrorCode.ILLEGAL_TRANSFER,
  },
  {
    what: 'a chunk for an unknown transfer',
    bytes: () => rawFrame(Kind.FILE_TRANSFER, Buffer.from([0, 9, 0, 0x41])),
    code: ErrorCode.ILLEGAL_TRANSFER,
  },
  {
    what: 'an offer naming someone else as source',
    bytes: () =>
      rawFrame(
        Kind.OFFER_FILE,
        Buffer.concat([nameField('bob'), nameField('bob'), Buffer.alloc(6), Buffer.from('f.txt')]),
      ),
    code: ErrorCode.ILLEGAL_NAME,
  },
  {
    what: 'an ACCEPT matching no offer',
    bytes: () =>
      rawFrame(
        Kind.ACCEPT_FILE,
        Buffer.concat([
          nameField('mallory'),
          nameField('bob'),
          Buffer.from([0, 42, 0, 0, 0, 1]),
          Buffer.from('f.txt'),
        ]),
      ),
    code: ErrorCode.ILLEGAL_NAME,
  },
];

describe('malformed input', () => {
  it.each(cases)('answers $what with its ERR code, closes only that client', async (c) => {
    const { server, port } = await startServer();
    const alice = await TestClient.registered(port, 'alice');
    const bob = await TestClient.registered(port, 'bob');
    const mallory = await TestClient.registered(port, 'mallory');
    for (const x of [alice, bob, mallory]) x.send(frames.enterRoom('ops'));
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 3);
    await bob.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 3);
    mallory.sendBytes(c.bytes());
    // Trailing bytes after the bad frame must be ignored, not acted on.
    mallory.send(frames.send('ops', 'after the error'));
    expect(await mallory.closedWith()).toBe(c.code);
    expect(mallory.inbox.filter((f) => f.kind === Kind.POST_MESSAGE)).toEqual([]);
    // The others see mallory leave, and carry on undisturbed.
    expect(await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2)).toEqual(
      frames.userListing('ops', ['alice', 'bob']),
    );
    bob.send(frames.send('ops', 'still fine'));
    expect(await alice.next(Kind.POST_MESSAGE)).toEqual(frames.post('ops', 'bob', 'still fine'));
    expect(alice.inbox.filter((f) => f.kind === Kind.POST_MESSAGE)).toEqual([]);
    await until(() => server.stats.connections === 2);
    // And the server still takes new clients.
    await TestClient.registered(port, 'carol');
  });

  it('honours the valid frames that arrived in the same chunk before a bad one', async () => {
    const { port } = await startServer();
    const alice = await TestClient.registered(port, 'alice');
    const mallory = await TestClient.connect(port);
    mallory.sendBytes(
      Buffer.concat([
        rawFrame(Kind.NEW_CLIENT, nameField('mallory')),
        rawFrame(Kind.DIRECT_MESSAGE, Buffer.concat([nameField('alice'), text('first')])),
        rawFrame(0x42),
      ]),
    );
    expect(await alice.next(Kind.DIRECT_MESSAGE)).toEqual(frames.directFrom('mallory', 'first'));
    expect(await mallory.closedWith()).toBe(ErrorCode.ILLEGAL_KIND);
  });

  it('survives garbage as a first frame and keeps serving', async () => {
    const { port } = await startServer();
    const alice = await TestClient.registered(port, 'alice');
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(64, 0xff)]) {
      const c = await TestClient.connect(port);
      c.sendBytes(junk);
      expect(await c.closedWith()).toBeDefined();
    }
    expect(await alice.query('alice')).toBe(1);
  });

  it('does not allocate what a huge header claims', async () => {
    const { server, port } = await startServer();
    const before = process.memoryUsage().arrayBuffers;
    const c = await TestClient.connect(port);
    c.sendBytes(rawFrame(Kind.NEW_CLIENT, nameField('big')));
    c.sendBytes(Buffer.from([Kind.SEND_MESSAGE, 0xff, 0xff, 0xff, 0xf0]));
    expect(await c.closedWith()).toBe(ErrorCode.ILLEGAL_LENGTH);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    await until(() => server.stats.connections === 0);
  });

  it('closes quietly, without an ERR back, when a client sends ERR', async () => {
    const { port } = await startServer();
    const alice = await TestClient.registered(port, 'alice');
    const bob = await TestClient.registered(port, 'bob');
    bob.send(frames.error(ErrorCode.UNKNOWN));
    expect(await bob.closedWith()).toBeUndefined();
    while ((await alice.query('bob')) === 1) {}
  });
});
