import fc from 'fast-check';
import {
  type ClientFrame,
  type FileNegotiation,
  Kind,
  type KindName,
  type ServerFrame,
  type Side,
} from '../../../src/protocol/index.js';

// Arbitraries that produce only what CLARIFICATIONS §3 allows, written from the rules rather
// than from the codec's own checks, so a property can catch the codec being too strict.

const BIDI = [
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];
const isBidi = (cp: number) => BIDI.includes(cp);
const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** Code points of every UTF-8 width, ASCII most often, plus the neighbours of the bidi controls. */
function codePoint(allowed: (cp: number) => boolean): fc.Arbitrary<number> {
  const near = BIDI.flatMap((cp) => [cp - 1, cp + 1]);
  return fc
    .oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x00, max: 0x7f }) },
      { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0x7ff }) },
      { weight: 2, arbitrary: fc.integer({ min: 0x800, max: 0xffff }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x1_0000, max: 0x10_ffff }) },
      { weight: 1, arbitrary: fc.constantFrom(...near) },
    )
    .filter((cp) => !isSurrogate(cp) && !isBidi(cp) && allowed(cp));
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** Joins code points, keeping only as many as fit in `maxBytes` of UTF-8. */
function fitBytes(cps: readonly number[], maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const cp of cps) {
    const ch = String.fromCodePoint(cp);
    const width = utf8Length(ch);
    if (bytes + width > maxBytes) break;
    out += ch;
    bytes += width;
  }
  return out;
}

const NAME_CP = codePoint((cp) => cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f));
const MESSAGE_CP = codePoint((cp) => cp === 0x09 || cp >= 0x20);
const FILE_NAME_CP = codePoint(
  (cp) => cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f) && cp !== 0x2f && cp !== 0x3a,
);

/** A valid user or room name: 1–32 code points above U+0020 (not DEL or C1), at most 64 bytes. */
export const name: fc.Arbitrary<string> = fc
  .array(NAME_CP, { minLength: 1, maxLength: 32 })
  .map((cps) => fitBytes(cps, 64));

/** Valid message text (without its NUL), 1 to `maxCodePoints` code points. */
export function messageText(options: { maxCodePoints?: number } = {}): fc.Arbitrary<string> {
  return fc
    .array(MESSAGE_CP, { minLength: 1, maxLength: options.maxCodePoints ?? 80 })
    .map((cps) => fitBytes(cps, 11_998));
}

/** A valid message, now and then one filled up to (or just short of) the 11998-byte limit. */
export const message: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: messageText() },
  {
    weight: 1,
    arbitrary: fc
      .tuple(messageText({ maxCodePoints: 8 }), MESSAGE_CP, fc.integer({ min: 0, max: 3 }))
      .map(([head, cp, slack]) => {
        const ch = String.fromCodePoint(cp);
        const room = 11_998 - slack - utf8Length(head);
        return head + ch.repeat(Math.max(0, Math.floor(room / utf8Length(ch))));
      }),
  },
);

/** A valid farewell: a message, or empty. */
export const farewell: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: message },
);

/** A valid file name: 1–1023 bytes, no controls, `/`, `:` or edge spaces. */
export const fileName: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 5, arbitrary: fc.array(FILE_NAME_CP, { minLength: 1, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.array(FILE_NAME_CP, { minLength: 300, maxLength: 1_100 }) },
  )
  .map((cps) => fitBytes(cps, 1_023).replace(/^ /, '_').replace(/ $/, '_'));

const u8 = fc.integer({ min: 0, max: 0xff });
const transferId = fc.integer({ min: 0, max: 0xffff });

const negotiation: fc.Arbitrary<FileNegotiation> = fc.record({
  target: name,
  source: name,
  id: transferId,
  size: fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 0xffff_ffff)),
  fileName,
});

const chunkData = fc
  .oneof(
    { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 4_000, maxLength: 4_096 }) },
  )
  .map((bytes) => Buffer.from(bytes));

const shared = {
  ERR: u8.map((code) => ({ kind: Kind.ERR, code })),
  HEARTBEAT: fc.constant({ kind: Kind.HEARTBEAT }),
  QUERY_USER: fc.record({ kind: fc.constant(Kind.QUERY_USER), name, status: u8 }),
  OFFER_FILE: negotiation.map((f) => ({ kind: Kind.OFFER_FILE, ...f })),
  ACCEPT_FILE: negotiation.map((f) => ({ kind: Kind.ACCEPT_FILE, ...f })),
  REJECT_FILE: negotiation.map((f) => ({ kind: Kind.REJECT_FILE, ...f })),
  FILE_TRANSFER: fc.record({
    kind: fc.constant(Kind.FILE_TRANSFER),
    id: transferId,
    finished: fc.boolean(),
    data: chunkData,
  }),
} as const;

/** A valid frame of every kind that clients send, by kind name. */
export const CLIENT_FRAMES: Partial<Record<KindName, fc.Arbitrary<ClientFrame>>> = {
  ...shared,
  NEW_CLIENT: name.map((n) => ({ kind: Kind.NEW_CLIENT, name: n })),
  ENTER_ROOM: name.map((room) => ({ kind: Kind.ENTER_ROOM, room })),
  LEAVE_ROOM: name.map((room) => ({ kind: Kind.LEAVE_ROOM, room })),
  LIST_ROOMS: fc.constant({ kind: Kind.LIST_ROOMS }),
  SEND_MESSAGE: fc.record({ kind: fc.constant(Kind.SEND_MESSAGE), room: name, text: message }),
  BROADCAST_MESSAGE: fc.record(
    {
      kind: fc.constant(Kind.BROADCAST_MESSAGE),
      text: message,
      layout: fc.constantFrom('draft', 'text', undefined),
    },
    { requiredKeys: ['kind', 'text'] },
  ),
  DIRECT_MESSAGE: fc.record({ kind: fc.constant(Kind.DIRECT_MESSAGE), to: name, text: message }),
  CLIENT_DEPARTS: farewell.map((f) => ({ kind: Kind.CLIENT_DEPARTS, farewell: f })),
};

/** A valid frame of every kind that servers send, by kind name. */
export const SERVER_FRAMES: Partial<Record<KindName, fc.Arbitrary<ServerFrame>>> = {
  ...shared,
  ROOM_LISTING: fc
    .array(name, { maxLength: 12 })
    .map((rooms) => ({ kind: Kind.ROOM_LISTING, rooms })),
  USER_LISTING: fc.record({
    kind: fc.constant(Kind.USER_LISTING),
    room: name,
    users: fc.array(name, { maxLength: 12 }),
  }),
  POST_MESSAGE: fc.record({
    kind: fc.constant(Kind.POST_MESSAGE),
    room: name,
    from: name,
    text: message,
  }),
  DIRECT_MESSAGE: fc.record({ kind: fc.constant(Kind.DIRECT_MESSAGE), from: name, text: message }),
  SERVER_DEPARTS: farewell.map((f) => ({ kind: Kind.SERVER_DEPARTS, farewell: f })),
};

/** The frames a decoder on `side` receives, by kind name. */
export function framesFor(side: Side): [KindName, fc.Arbitrary<ClientFrame | ServerFrame>][] {
  const table = side === 'server' ? CLIENT_FRAMES : SERVER_FRAMES;
  return Object.entries(table) as [KindName, fc.Arbitrary<ClientFrame | ServerFrame>][];
}

/** Offsets at which to cut a byte stream into pieces (see `splitAt`). */
export const cuts = (maxOffset: number): fc.Arbitrary<number[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: maxOffset }), { maxLength: 10 }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 40 }) },
  );
