import { ErrorCode, type Frame, frames, Kind, type Side } from '../../../src/protocol/index.js';
import { fieldHex } from './helpers.js';

/**
 * One wire vector: `frame` encodes to exactly `hex`, and each side in `decodesOn` decodes
 * `hex` back to `frame` (or to `decoded[side]` where the two sides read it differently).
 */
export interface Vector {
  title: string;
  frame: Frame;
  hex: string;
  decodesOn: readonly Side[];
  decoded?: Partial<Record<Side, Frame>>;
}

const NUL64 = '00'.repeat(64);
const BOTH: readonly Side[] = ['server', 'client'];
const SERVER: readonly Side[] = ['server'];
const CLIENT: readonly Side[] = ['client'];

const chunk34 = Buffer.from(Array.from({ length: 34 }, (_, i) => i));

/** Every kind, at least once, with the payload bytes written out. */
export const VECTORS: readonly Vector[] = [
  {
    title: 'ERR NAME_IN_USE',
    frame: frames.error(ErrorCode.NAME_IN_USE),
    hex: '01 00000001 04',
    decodesOn: BOTH,
  },
  {
    title: 'NEW_CLIENT alice',
    frame: frames.newClient('alice'),
    hex: `02 00000040 ${fieldHex('alice')}`,
    decodesOn: SERVER,
  },
  { title: 'HEARTBEAT', frame: frames.heartbeat(), hex: '03 00000000', decodesOn: BOTH },
  {
    title: 'ENTER_ROOM ops',
    frame: frames.enterRoom('ops'),
    hex: `04 00000040 6F7073 ${'00'.repeat(61)}`,
    decodesOn: SERVER,
  },
  {
    title: 'LEAVE_ROOM ops',
    frame: frames.leaveRoom('ops'),
    hex: `05 00000040 6F7073 ${'00'.repeat(61)}`,
    decodesOn: SERVER,
  },
  { title: 'LIST_ROOMS', frame: frames.listRooms(), hex: '06 00000000', decodesOn: SERVER },
  {
    title: 'ROOM_LISTING, no rooms',
    frame: frames.roomListing([]),
    hex: `07 00000040 ${NUL64}`,
    decodesOn: CLIENT,
  },
  {
    title: 'ROOM_LISTING dev, ops',
    frame: frames.roomListing(['dev', 'ops']),
    hex: `07 000000C0 ${NUL64} ${fieldHex('dev')} ${fieldHex('ops')}`,
    decodesOn: CLIENT,
  },
  {
    title: 'USER_LISTING ops: alice, bob',
    frame: frames.userListing('ops', ['alice', 'bob']),
    hex: `08 000000C0 ${fieldHex('ops')} ${fieldHex('alice')} ${fieldHex('bob')}`,
    decodesOn: CLIENT,
  },
  {
    title: 'USER_LISTING of an empty room',
    frame: frames.userListing('ops', []),
    hex: `08 00000040 ${fieldHex('ops')}`,
    decodesOn: CLIENT,
  },
  {
    title: 'QUERY_USER bob, status 2 (question)',
    frame: frames.queryUser('bob'),
    hex: `09 00000041 ${fieldHex('bob')} 02`,
    decodesOn: BOTH,
  },
  {
    title: 'QUERY_USER bob, status 0 (offline)',
    frame: frames.queryUser('bob', 0),
    hex: `09 00000041 ${fieldHex('bob')} 00`,
    decodesOn: BOTH,
  },
  {
    title: 'SEND_MESSAGE ops "hi"',
    frame: frames.send('ops', 'hi'),
    hex: `0A 00000043 ${fieldHex('ops')} 686900`,
    decodesOn: SERVER,
  },
  {
    title: 'BROADCAST_MESSAGE "Hello", text alone',
    frame: frames.broadcast('Hello', 'text'),
    hex: '0B 00000006 48656C6C6F00',
    decodesOn: SERVER,
  },
  {
    title: 'BROADCAST_MESSAGE "Hello", draft layout with the 64-byte target field',
    frame: frames.broadcast('Hello', 'draft'),
    hex: `0B 00000046 ${NUL64} 48656C6C6F00`,
    decodesOn: SERVER,
  },
  {
    title: 'POST_MESSAGE ops alice "hi"',
    frame: frames.post('ops', 'alice', 'hi'),
    hex: `0C 00000083 ${fieldHex('ops')} ${fieldHex('alice')} 686900`,
    decodesOn: CLIENT,
  },
  {
    title: 'DIRECT_MESSAGE bob "hi": {to} on the server, {from} on the client',
    frame: frames.directTo('bob', 'hi'),
    hex: `0D 00000043 ${fieldHex('bob')} 686900`,
    decodesOn: BOTH,
    decoded: { server: frames.directTo('bob', 'hi'), client: frames.directFrom('bob', 'hi') },
  },
  {
    title: 'DIRECT_MESSAGE forwarded from bob encodes like one sent to bob',
    frame: frames.directFrom('bob', 'hi'),
    hex: `0D 00000043 ${fieldHex('bob')} 686900`,
    decodesOn: CLIENT,
  },
  {
    title: 'OFFER_FILE Bob → Frank, id 0, 512 bytes, example.txt (payload 145)',
    frame: frames.offer({
      target: 'Frank',
      source: 'Bob',
      id: 0,
      size: 512,
      fileName: 'example.txt',
    }),
    hex: `0E 00000091 4672616E6B ${'00'.repeat(59)} 426F62 ${'00'.repeat(61)} 0000 00000200 6578616D706C652E747874`,
    decodesOn: BOTH,
  },
  {
    title: 'ACCEPT_FILE id 7, 0xFFFFFFFF bytes',
    frame: frames.accept({
      target: 'Frank',
      source: 'Bob',
      id: 7,
      size: 0xffff_ffff,
      fileName: 'a b.tar',
    }),
    hex: `0F 0000008D ${fieldHex('Frank')} ${fieldHex('Bob')} 0007 FFFFFFFF 6120622E746172`,
    decodesOn: BOTH,
  },
  {
    title: 'REJECT_FILE id 65535, empty file, UTF-8 file name',
    frame: frames.reject({ target: 'Frank', source: 'Bob', id: 0xffff, size: 0, fileName: 'ü' }),
    hex: `10 00000088 ${fieldHex('Frank')} ${fieldHex('Bob')} FFFF 00000000 C3BC`,
    decodesOn: BOTH,
  },
  {
    title: 'FILE_TRANSFER id 11, not finished, 34 bytes (length 0x25)',
    frame: frames.chunk(11, chunk34, false),
    hex: `11 00000025 000B 00 ${chunk34.toString('hex')}`,
    decodesOn: BOTH,
  },
  {
    title: 'FILE_TRANSFER id 65535, finished, 1 byte',
    frame: frames.chunk(0xffff, Buffer.from([0x2a]), true),
    hex: '11 00000004 FFFF 01 2A',
    decodesOn: BOTH,
  },
  {
    title: 'CLIENT_DEPARTS "bye"',
    frame: frames.clientDeparts('bye'),
    hex: '12 00000004 62796500',
    decodesOn: SERVER,
  },
  {
    title: 'CLIENT_DEPARTS with an empty farewell',
    frame: frames.clientDeparts(''),
    hex: '12 00000001 00',
    decodesOn: SERVER,
  },
  {
    title: 'SERVER_DEPARTS "shutting down"',
    frame: frames.serverDeparts('shutting down'),
    hex: '13 0000000E 7368757474696E6720646F776E00',
    decodesOn: CLIENT,
  },
];

/** Every kind byte the protocol defines (CLARIFICATIONS §1), written out. */
export const ALL_KINDS: readonly number[] = Array.from({ length: 0x13 }, (_, i) => i + 1);

/** The kinds of `Kind`, to cross-check that ALL_KINDS matches the code's table. */
export const KIND_VALUES: readonly number[] = Object.values(Kind);
