import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../../../src/cli/lines.js';

async function collect(chunks: (string | Buffer)[], max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of splitLines(Readable.from(chunks), max)) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('splits across chunk boundaries, strips CRLF and keeps the last unterminated line', async () => {
    expect(await collect(['one\ntw', 'o\r', '\nthree\n\nfour'])).toEqual([
      'one',
      'two',
      'three',
      '',
      'four',
    ]);
  });

  it('decodes UTF-8 split inside a character', async () => {
    const bytes = Buffer.from('héllo\nwörld\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(chunks)).toEqual(['héllo', 'wörld']);
  });

  it('passes an endless line on in pieces, never splitting a surrogate pair', async () => {
    const lines = await collect(['ab😀cd😀ef', 'gh\n'], 3);
    expect(lines.join('')).toBe('ab😀cd😀efgh');
    for (const line of lines) expect(line.isWellFormed()).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
  });
});
