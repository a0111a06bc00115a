import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, encode, frames, Kind } from '../../../src/protocol/index.js';
import { RelayServerImpl } from '../../../src/server/server.js';
import {
  cleanup,
  connectSilent,
  nameField,
  rawFrame,
  startServer,
  TestClient,
  until,
} from './helpers.js';

// Conformance: names (draft §4, CLARIFICATIONS §3), lengths (§5.1.1, CLARIFICATIONS §2/§4),
// listings (§6.2, §8.1) and what the server does with bytes after a connection's end.

afterEach(cleanup);

const text = (s: string) => Buffer.from(`${s}\0`);

/** alice and bob, both in room 'ops', with nothing left in their inboxes. */
async function pairInRoom(port: number): Promise<[TestClient, TestClient]> {
  const a = await TestClient.registered(port, 'alice');
  const b = await TestClient.registered(port, 'bob');
  a.send(frames.enterRoom('ops'));
  await a.sync();
  b.send(frames.enterRoom('ops'));
  await b.sync();
  await a.sync();
  return [a, b];
}

describe('names on the wire', () => {
  // 16 four-byte code points: exactly 64 bytes, no room for a NUL, and only 16 code points.
  const full = '🎉'.repeat(16);

  it('takes a 64-byte name field without a NUL as a 64-byte name, and lists it back whole', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, full);
    expect(Buffer.byteLength(full)).toBe(64);
    a.sendBytes(rawFrame(Kind.ENTER_ROOM, Buffer.from(full)));
    expect(await a.next(Kind.USER_LISTING)).toEqual(frames.userListing(full, [full]));
    a.send(frames.listRooms());
    expect(await a.next(Kind.ROOM_LISTING)).toEqual(frames.roomListing([full]));
    a.send(frames.send(full, 'fits'));
    expect(await a.next(Kind.POST_MESSAGE)).toEqual(frames.post(full, full, 'fits'));
    expect(server.stats.rooms).toBe(1);
  });

  it.each([
    ['64 ASCII bytes without a NUL (64 code points)', Buffer.alloc(64, 0x61)],
    ['33 code points', nameField('b'.repeat(33))],
    ['an empty name (NUL first)', Buffer.alloc(64)],
    ['a control character', nameField('tab\there')],
    ['U+061C', nameField('x\u061cy')],
    ['U+2066', nameField('x\u2066y')],
    ['invalid UTF-8', nameField(Buffer.from([0x61, 0xc3, 0x28]))],
  ])('refuses %s in ENTER_ROOM with ILLEGAL_NAME', async (_, field) => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    a.sendBytes(rawFrame(Kind.ENTER_ROOM, field));
    expect(await a.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
  });

  it('accepts exactly 32 code points', async () => {
    const { port } = await startServer();
    const name = 'n'.repeat(32);
    const a = await TestClient.registered(port, name);
    expect(await a.query(name)).toBe(1);
  });

  it('compares names byte for byte: case and Unicode normalisation make different names', async () => {
    const { server, port } = await startServer();
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    const clients = [];
    for (const name of ['alice', 'Alice', nfc, nfd])
      clients.push(await TestClient.registered(port, name));
    expect(server.stats.users).toBe(4);
    expect(await clients[0]!.query('ALICE')).toBe(0);
    clients[0]!.send(frames.directTo(nfd, 'which one?'));
    expect(await clients[3]!.next(Kind.DIRECT_MESSAGE)).toEqual(
      frames.directFrom('alice', 'which one?'),
    );
    expect(await clients[2]!.sync()).toEqual([]);
  });
});

describe('lengths (checked from the header, before the contents)', () => {
  const name = nameField('ops');
  const cases: [string, Buffer][] = [
    ['ERR with no code', rawFrame(Kind.ERR)],
    ['ERR with 2 bytes', rawFrame(Kind.ERR, Buffer.from([1, 1]))],
    ['HEARTBEAT with a payload', rawFrame(Kind.HEARTBEAT, Buffer.from([0]))],
    ['LIST_ROOMS with a payload', rawFrame(Kind.LIST_ROOMS, Buffer.from([0]))],
    ['NEW_CLIENT of 65 bytes', rawFrame(Kind.NEW_CLIENT, Buffer.alloc(65, 0x61))],
    ['LEAVE_ROOM of 63 bytes', rawFrame(Kind.LEAVE_ROOM, Buffer.alloc(63, 0x61))],
    ['QUERY_USER of 64 bytes', rawFrame(Kind.QUERY_USER, name)],
    [
      'SEND_MESSAGE with an empty text',
      rawFrame(Kind.SEND_MESSAGE, Buffer.concat([name, text('')])),
    ],
    [
      'SEND_MESSAGE with 12000 text bytes',
      rawFrame(Kind.SEND_MESSAGE, Buffer.concat([name, text('x'.repeat(11_999))])),
    ],
    ['DIRECT_MESSAGE of 65 bytes', rawFrame(Kind.DIRECT_MESSAGE, Buffer.concat([name, text('')]))],
    ['BROADCAST_MESSAGE of 1 byte', rawFrame(Kind.BROADCAST_MESSAGE, Buffer.from([0]))],
    ['OFFER_FILE with no file name', rawFrame(Kind.OFFER_FILE, Buffer.alloc(134))],
    [
      'ACCEPT_FILE with a 1024-byte file name',
      rawFrame(Kind.ACCEPT_FILE, Buffer.alloc(134 + 1024)),
    ],
    ['FILE_TRANSFER with 4097 data bytes', rawFrame(Kind.FILE_TRANSFER, Buffer.alloc(3 + 4097))],
    ['CLIENT_DEPARTS of 12000 bytes', rawFrame(Kind.CLIENT_DEPARTS, text('x'.repeat(11_999)))],
  ];

  it('answers every out-of-range length with ILLEGAL_LENGTH', async () => {
    const { server, port } = await startServer();
    const watcher = await TestClient.registered(port, 'watcher');
    for (const [what, bytes] of cases) {
      const c = await TestClient.registered(port, 'culprit');
      c.sendBytes(bytes);
      expect({ what, code: await c.closedWith() }).toEqual({
        what,
        code: ErrorCode.ILLEGAL_LENGTH,
      });
      while ((await watcher.query('culprit')) === 1) {}
    }
    await until(() => server.stats.connections === 1);
  });

  it('refuses a text-only BROADCAST of 12000 bytes (its POSTs would be too long for any client)', async () => {
    const { port } = await startServer();
    const [a, b] = await pairInRoom(port);
    a.sendBytes(rawFrame(Kind.BROADCAST_MESSAGE, text('x'.repeat(11_999))));
    expect(await a.closedWith()).toBe(ErrorCode.ILLEGAL_MESSAGE);
    expect(await b.next(Kind.USER_LISTING)).toEqual(frames.userListing('ops', ['bob']));
    expect(b.decodeError).toBeNull();
  });

  it('relays a message of 11999 bytes with its NUL (the longest)', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const longest = `${'é'.repeat(5_998)}xx`;
    expect(Buffer.byteLength(longest) + 1).toBe(11_999);
    a.send(frames.directTo('bob', longest));
    expect(await b.next(Kind.DIRECT_MESSAGE)).toEqual(frames.directFrom('alice', longest));
  });
});

describe('defaults', () => {
  it('listens on port 17734 unless told otherwise (draft §3)', () => {
    expect(new RelayServerImpl().options.port).toBe(17_734);
  });
});

describe('listings', () => {
  it('acknowledges a re-entry with the room as it is now, after every change', async () => {
    const { port } = await startServer();
    const [a, b] = await pairInRoom(port);
    const c = await TestClient.registered(port, 'carol');
    const ack = async () => {
      a.send(frames.enterRoom('ops'));
      const got = await a.sync();
      expect(got).toHaveLength(1);
      return got[0];
    };
    expect(await ack()).toEqual(frames.userListing('ops', ['alice', 'bob']));
    b.send(frames.leaveRoom('ops'));
    await b.sync();
    await a.next(Kind.USER_LISTING);
    expect(await ack()).toEqual(frames.userListing('ops', ['alice']));
    c.send(frames.enterRoom('ops'));
    await c.sync();
    await a.next(Kind.USER_LISTING);
    expect(await ack()).toEqual(frames.userListing('ops', ['alice', 'carol']));
    c.destroy();
    await a.next(Kind.USER_LISTING);
    expect(await ack()).toEqual(frames.userListing('ops', ['alice']));
  });

  it('answers LIST_ROOMS with no room as a ROOM_LISTING of an all-NUL identifier and no names', async () => {
    const { port } = await startServer();
    const socket = await connectSilent(port);
    const got: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => got.push(chunk));
    try {
      socket.write(Buffer.concat([encode(frames.newClient('raw')), encode(frames.listRooms())]));
      await until(() => Buffer.concat(got).length >= 5 + 64);
      const bytes = Buffer.concat(got);
      expect(bytes.subarray(0, 5)).toEqual(Buffer.from([Kind.ROOM_LISTING, 0, 0, 0, 64]));
      expect(bytes.subarray(5, 69)).toEqual(Buffer.alloc(64));
    } finally {
      socket.destroy();
    }
  });

  it('lists rooms in UTF-8 byte order, astral code points after U+E000–U+FFFF', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const pieces = ['a', 'Z', 'é', '\u4e2d', '\uff21', '\ufffd', '🎉', '𝄞', '\u{10fffd}'];
    const rooms = pieces.flatMap((x) => pieces.map((y) => `${x}${y}`));
    for (const room of rooms) a.send(frames.enterRoom(room));
    a.send(frames.leaveRoom(rooms[7]!));
    a.send(frames.enterRoom(rooms[7]!));
    a.send(frames.leaveRoom(rooms[20]!));
    await a.sync();
    a.send(frames.listRooms());
    const byBytes = rooms
      .filter((r) => r !== rooms[20])
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(await a.next(Kind.ROOM_LISTING)).toEqual(frames.roomListing(byBytes));
  });

  it('sends no ROOM_LISTING unasked when rooms are created or deleted (CLARIFICATIONS §5.10)', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const bystander = await TestClient.registered(port, 'bystander');
    a.send(frames.enterRoom('new-room'));
    a.send(frames.leaveRoom('new-room'));
    await a.sync();
    expect(await bystander.sync()).toEqual([]);
  });
});

describe('the end of a connection is the end of its frames', () => {
  it('acts on nothing sent after CLIENT_DEPARTS, even in the same write', async () => {
    const { server, port } = await startServer();
    const [a, b] = await pairInRoom(port);
    b.sendBytes(
      Buffer.concat([
        encode(frames.clientDeparts('bye')),
        encode(frames.send('ops', 'ghost post')),
        encode(frames.directTo('alice', 'ghost direct')),
        encode(frames.enterRoom('haunted')),
      ]),
    );
    expect(await b.closedWith()).toBeUndefined();
    expect(await a.sync()).toEqual([
      frames.post('ops', 'bob', 'bye'),
      frames.userListing('ops', ['alice']),
    ]);
    expect(server.stats.rooms).toBe(1);
  });

  it('acts on nothing sent after an ERR from the client, registered or not', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const early = await TestClient.connect(port);
    early.sendBytes(
      Buffer.concat([encode(frames.error(ErrorCode.UNKNOWN)), encode(frames.newClient('early'))]),
    );
    expect(await early.closedWith()).toBeUndefined();
    const late = await TestClient.registered(port, 'late');
    late.sendBytes(
      Buffer.concat([
        encode(frames.error(ErrorCode.UNKNOWN)),
        encode(frames.directTo('alice', 'x')),
      ]),
    );
    expect(await late.closedWith()).toBeUndefined();
    expect(await a.query('early')).toBe(0);
    expect(await a.sync()).toEqual([]);
    await until(() => server.stats.connections === 1);
  });

  it('takes a CLIENT_DEPARTS with no payload at all as an empty farewell (no POST)', async () => {
    const { port } = await startServer();
    const [a, b] = await pairInRoom(port);
    b.sendBytes(rawFrame(Kind.CLIENT_DEPARTS));
    expect(await b.closedWith()).toBeUndefined();
    expect(await a.next(Kind.USER_LISTING)).toEqual(frames.userListing('ops', ['alice']));
    expect(await a.sync()).toEqual([]);
  });

  it('ignores a BROADCAST from a client in no room', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    b.send(frames.enterRoom('ops'));
    await b.sync();
    a.send(frames.broadcast('anyone?'));
    expect(await a.sync()).toEqual([]);
    expect(await b.sync()).toEqual([]);
    expect(a.isClosed).toBe(false);
  });
});
