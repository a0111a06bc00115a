import { MAX_MESSAGE_BYTES } from './constants.js';
import { validateMessage } from './text.js';

/** Largest number of UTF-8 bytes of text in one message (its NUL takes the last byte). */
export const MAX_TEXT_BYTES = MAX_MESSAGE_BYTES - 1;

/**
 * Turns any text into valid messages, as CLARIFICATIONS §3 prescribes: one message per line
 * (`\n`, `\r\n` or `\r`), blank lines skipped, and a line too long for one message split on a
 * code point boundary so the pieces join back to the line. Throws a `ProtocolError` when a
 * line holds a character no message may carry (a control character or a bidi control).
 *
 * @example
 * splitMessage('first\n\nsecond') // → ['first', 'second']
 */
export function splitMessage(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line.trim() === '') continue;
    for (const piece of splitLine(line, maxBytes)) {
      validateMessage(piece);
      out.push(piece);
    }
  }
  return out;
}

function splitLine(line: string, maxBytes: number): string[] {
  if (Buffer.byteLength(line, 'utf8') <= maxBytes) return [line];
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < line.length) {
    const cp = line.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + width > maxBytes) {
      pieces.push(line.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += width;
    i += units;
  }
  if (start < line.length) pieces.push(line.slice(start));
  return pieces;
}
