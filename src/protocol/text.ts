import {
  ErrorCode,
  MAX_FILE_NAME_BYTES,
  MAX_NAME_CODE_POINTS,
  MESSAGE_BYTES_LIMIT,
  NAME_FIELD_BYTES,
} from './constants.js';
import { ProtocolError } from './errors.js';

// One byte-level scanner enforces every text rule, so strings being encoded and bytes being
// decoded are judged by the same code. It validates UTF-8 strictly (no overlongs, no
// surrogates, nothing past U+10FFFF) and applies the per-kind code point rules in one pass.

enum Rule {
  Name = 0,
  Message = 1,
  FileName = 2,
}

const RULE_ERROR = [
  ErrorCode.ILLEGAL_NAME,
  ErrorCode.ILLEGAL_MESSAGE,
  ErrorCode.ILLEGAL_NAME,
] as const;
const RULE_LABEL = ['name', 'message', 'file name'] as const;

function isBidiControl(cp: number): boolean {
  return (
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/** DEL (U+007F) or a C1 control (U+0080–U+009F): control characters above U+0020. */
function isDelOrC1(cp: number): boolean {
  return cp === 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

function fail(rule: Rule, code: string, message: string): never {
  throw new ProtocolError(code, RULE_ERROR[rule], `Invalid ${RULE_LABEL[rule]}: ${message}`);
}

function describe(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function checkCodePoint(rule: Rule, cp: number, at: number): void {
  if (rule === Rule.Name) {
    // §3: "above U+0020, so no space and no control character": DEL and the C1 controls are
    // control characters too, refused here as they are in file names.
    if (cp <= 0x20 || isDelOrC1(cp)) {
      fail(
        rule,
        'NAME_FORBIDDEN_CHARACTER',
        `${describe(cp)} at byte ${at}; names allow no spaces or control characters`,
      );
    }
  } else if (rule === Rule.Message) {
    if (cp < 0x20 && cp !== 0x09) {
      const hint = cp === 0x0a || cp === 0x0d ? '; send one message per line' : '';
      const what = cp === 0 ? 'a NUL before the end' : `control character ${describe(cp)}`;
      fail(
        rule,
        cp === 0 ? 'MESSAGE_EMBEDDED_NUL' : 'MESSAGE_FORBIDDEN_CHARACTER',
        `${what} at byte ${at}${hint}`,
      );
    }
  } else {
    if (cp < 0x20 || isDelOrC1(cp)) {
      fail(
        rule,
        'FILE_NAME_FORBIDDEN_CHARACTER',
        `control character ${describe(cp)} at byte ${at}`,
      );
    }
    if (cp === 0x2f || cp === 0x3a) {
      fail(
        rule,
        'FILE_NAME_FORBIDDEN_CHARACTER',
        `'${String.fromCharCode(cp)}' at byte ${at}; file names may not contain '/' or ':'`,
      );
    }
  }
  if (isBidiControl(cp)) {
    fail(
      rule,
      `${rule === Rule.Message ? 'MESSAGE' : rule === Rule.Name ? 'NAME' : 'FILE_NAME'}_BIDI_CONTROL`,
      `bidi control ${describe(cp)} at byte ${at}`,
    );
  }
}

// For each rule, 1 for every ASCII byte it accepts as it is. Plain ASCII is by far the most
// common text, and a table lookup per byte is several times cheaper than the general decoder;
// any other byte, allowed or not, takes the general path, which also words the errors.
function asciiTable(accepts: (b: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 0x80; b++) table[b] = accepts(b) ? 1 : 0;
  return table;
}
const ASCII_ACCEPTED: readonly Uint8Array[] = [
  asciiTable((b) => b > 0x20 && b !== 0x7f),
  asciiTable((b) => b >= 0x20 || b === 0x09),
  asciiTable((b) => b >= 0x20 && b !== 0x7f && b !== 0x2f && b !== 0x3a),
];

/** Scans `buf[start, end)` as UTF-8 under `rule`; returns the number of code points. */
function scan(rule: Rule, buf: Uint8Array, start: number, end: number): number {
  const ascii = ASCII_ACCEPTED[rule]!;
  let count = 0;
  let i = start;
  while (i < end) {
    const run = i;
    while (i < end && ascii[buf[i]!] === 1) i++;
    count += i - run;
    if (i === end) break;
    const b0 = buf[i]!;
    let cp: number;
    let width: number;
    if (b0 < 0x80) {
      cp = b0;
      width = 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      width = 2;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      width = 3;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      width = 4;
      cp = b0 & 0x07;
    } else {
      fail(
        rule,
        'INVALID_UTF8',
        `byte 0x${b0.toString(16)} at ${i - start} cannot start a UTF-8 sequence`,
      );
    }
    if (width > 1) {
      if (i + width > end)
        fail(rule, 'INVALID_UTF8', `truncated UTF-8 sequence at byte ${i - start}`);
      for (let k = 1; k < width; k++) {
        const b = buf[i + k]!;
        if ((b & 0xc0) !== 0x80)
          fail(rule, 'INVALID_UTF8', `bad continuation byte at ${i - start + k}`);
        cp = (cp << 6) | (b & 0x3f);
      }
      if (
        (width === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (width === 4 && (cp < 0x10000 || cp > 0x10ffff))
      ) {
        fail(rule, 'INVALID_UTF8', `overlong or surrogate UTF-8 sequence at byte ${i - start}`);
      }
    }
    checkCodePoint(rule, cp, i - start);
    count++;
    i += width;
  }
  return count;
}

function wellFormed(rule: Rule, value: string): void {
  if (typeof value !== 'string')
    fail(rule, 'NOT_A_STRING', `expected a string, got ${typeof value}`);
  if (!value.isWellFormed())
    fail(rule, 'INVALID_UTF8', 'the string has a lone surrogate and is not valid Unicode');
}

/**
 * Checks bytes (without any NUL) against the name rules (§3): 1–32 code points, at most 64
 * bytes, everything above U+0020 but DEL and the C1 controls, no bidi controls. Throws a `ProtocolError` (ILLEGAL_NAME).
 */
export function checkNameBytes(buf: Uint8Array, start = 0, end = buf.length): void {
  if (end - start === 0) fail(Rule.Name, 'NAME_EMPTY', 'a name needs at least one character');
  if (end - start > NAME_FIELD_BYTES) {
    fail(
      Rule.Name,
      'NAME_TOO_LONG',
      `${end - start} bytes of UTF-8; the most is ${NAME_FIELD_BYTES}`,
    );
  }
  const cps = scan(Rule.Name, buf, start, end);
  if (cps > MAX_NAME_CODE_POINTS) {
    fail(Rule.Name, 'NAME_TOO_LONG', `${cps} characters; the most is ${MAX_NAME_CODE_POINTS}`);
  }
}

/**
 * Throws a `ProtocolError` unless `name` is a valid user or room name (CLARIFICATIONS §3).
 *
 * @example
 * validateName('ops')        // fine
 * validateName('two words')  // throws NAME_FORBIDDEN_CHARACTER
 */
export function validateName(name: string): void {
  wellFormed(Rule.Name, name);
  checkNameBytes(Buffer.from(name, 'utf8'));
}

/** True when `name` is a valid user or room name. */
export function isValidName(name: string): boolean {
  try {
    validateName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks message bytes *without* their NUL terminator: at least one code point (unless
 * `allowEmpty`, for farewells), fewer than 12000 bytes once the NUL is added, tab or U+0020
 * and up, no bidi controls, no NUL. Throws a `ProtocolError` (ILLEGAL_MESSAGE).
 */
export function checkMessageBytes(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  allowEmpty = false,
): void {
  const bytes = end - start;
  if (bytes === 0 && !allowEmpty)
    fail(Rule.Message, 'MESSAGE_EMPTY', 'a message needs at least one character');
  if (bytes + 1 >= MESSAGE_BYTES_LIMIT) {
    fail(
      Rule.Message,
      'MESSAGE_TOO_LONG',
      `${bytes + 1} bytes with its NUL; it must be under ${MESSAGE_BYTES_LIMIT}. Split long text with splitMessage()`,
    );
  }
  scan(Rule.Message, buf, start, end);
}

/**
 * Throws a `ProtocolError` unless `text` is one valid message (CLARIFICATIONS §3). Use
 * `splitMessage` first for text that may hold newlines or be too long.
 *
 * @example
 * validateMessage('hello\tworld') // fine: tabs are allowed
 * validateMessage('a\nb')         // throws MESSAGE_FORBIDDEN_CHARACTER
 */
export function validateMessage(text: string): void {
  wellFormed(Rule.Message, text);
  checkMessageBytes(Buffer.from(text, 'utf8'));
}

/**
 * Throws a `ProtocolError` unless `text` is a valid farewell: a message that may be empty.
 */
export function validateFarewell(text: string): void {
  wellFormed(Rule.Message, text);
  checkMessageBytes(Buffer.from(text, 'utf8'), 0, undefined, true);
}

/**
 * Checks file name bytes (no NUL): 1–1023 bytes, valid UTF-8, no control characters, no bidi
 * controls, no `/` or `:`, no leading or trailing space. Throws ILLEGAL_NAME.
 */
export function checkFileNameBytes(buf: Uint8Array, start = 0, end = buf.length): void {
  const bytes = end - start;
  if (bytes === 0)
    fail(Rule.FileName, 'FILE_NAME_EMPTY', 'a file name needs at least one character');
  if (bytes > MAX_FILE_NAME_BYTES) {
    fail(Rule.FileName, 'FILE_NAME_TOO_LONG', `${bytes} bytes; the most is ${MAX_FILE_NAME_BYTES}`);
  }
  if (buf[start] === 0x20 || buf[end - 1] === 0x20) {
    fail(Rule.FileName, 'FILE_NAME_EDGE_SPACE', 'a file name may not start or end with a space');
  }
  scan(Rule.FileName, buf, start, end);
}

/**
 * Throws a `ProtocolError` unless `name` is a valid file name for OFFER_FILE (§3). Note that
 * `.` and `..` pass: never use a received file name as a path without making it safe.
 */
export function validateFileName(name: string): void {
  wellFormed(Rule.FileName, name);
  checkFileNameBytes(Buffer.from(name, 'utf8'));
}
