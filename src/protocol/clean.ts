// Log lines piped into `relaykit say` or a recipe's `stdin` rule carry terminal colours,
// cursor moves and stray control bytes, all of which the message rules reject
// (CLARIFICATIONS §3). These helpers turn any text into text a message may carry, without
// losing the readable part; they sit beside the rules so the two cannot drift apart.

// ECMA-48 escape sequences: CSI (7- and 8-bit), OSC (ended by BEL or ST), DCS/SOS/PM/APC
// strings (ended by ST), then the short two- and three-byte escapes. An unterminated string
// sequence runs to the end of the line, as a terminal would swallow it.
const ANSI_PATTERN = new RegExp(
  [
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]',
    '(?:\\x1b\\]|\\x9d)[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c|$)',
    '(?:\\x1b[PX^_]|[\\x90\\x98\\x9e\\x9f])[^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c|$)',
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]',
    '\\x1b',
  ].join('|'),
  'g',
);

// C0 controls but tab (and, for single lines, CR and LF too), and the bidi controls that
// names and messages may not carry.
const LINE_FORBIDDEN = /[\x00-\x08\x0a-\x1f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const TEXT_FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes ANSI/ECMA-48 escape sequences (colours, cursor moves, OSC hyperlinks and titles).
 *
 * @example
 * stripAnsi('\x1b[31merror\x1b[0m') // 'error'
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

function replaceControl(ch: string): string {
  const cp = ch.codePointAt(0)!;
  // C0 controls become their visible Control Pictures (U+2400 block: NUL → ␀, BEL → ␇);
  // bidi controls become U+FFFD so nothing can reorder the text a reader sees.
  return cp < 0x20 ? String.fromCodePoint(0x2400 + cp) : '\uFFFD';
}

/**
 * Makes one line (no newline of its own) safe to post: strips escape sequences, shows other
 * control characters as Control Pictures (`\x07` → `␇`, a stray `\r` → `␍`), replaces bidi
 * controls and lone surrogates with U+FFFD. Tabs stay. The result may still be blank or too
 * long: `splitMessage` skips and splits it.
 *
 * @example
 * sanitizeLine('\x1b[1;32mOK\x1b[0m\tdone\x07') // 'OK\tdone␇'
 */
export function sanitizeLine(line: string): string {
  return stripAnsi(line.toWellFormed()).replace(LINE_FORBIDDEN, replaceControl);
}

/**
 * As `sanitizeLine`, but keeps line breaks (`\n`, `\r\n`, `\r`) so `splitMessage` can turn
 * the text into one message per line.
 */
export function sanitizeText(text: string): string {
  return stripAnsi(text.toWellFormed()).replace(TEXT_FORBIDDEN, replaceControl);
}
