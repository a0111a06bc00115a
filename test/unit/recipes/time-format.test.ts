import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate } from '../../../src/recipes/template.js';
import { formatTime, parseTimeFormat, type TimeFormat } from '../../../src/recipes/time-format.js';
import { botWith, expectErrors } from './helpers.js';

const at = new Date('2026-12-04T03:07:09.045Z');
const parsed = (text: string): TimeFormat => {
  const f = parseTimeFormat(text);
  if ('error' in f) throw new Error(f.error);
  return f;
};

describe('{time:FORMAT} in templates', () => {
  it.each([
    ['HH:mm utc', '03:07'],
    ['YYYY-MM-DD HH:mm:ss utc', '2026-12-04 03:07:09'],
    ['HH:mm:ss.SSS Z utc', '03:07:09.045 Z'],
    ['DD/MM/YYYY UTC', '04/12/2026'],
  ])('formats %s as %s', (format, expected) => {
    expect(formatTime(at, parsed(format))).toBe(expected);
  });

  it('reads the local clock without " utc", with its offset for Z', () => {
    const local = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    expect(formatTime(at, parsed('HH:mm'))).toBe(local);
    expect(formatTime(at, parsed('HH:mm local'))).toBe(local);
    expect(formatTime(at, parsed('Z'))).toMatch(/^[+-]\d\d:\d\d$/);
  });

  it('renders in a template from the event time; {time} stays ISO', () => {
    const { parts, problems } = parseTemplate('[{time:HH:mm utc}] {from}: {text} ({time})');
    expect(problems).toEqual([]);
    const vars = { time: at.toISOString(), from: 'ann', text: 'hi' };
    expect(renderTemplate(parts, vars)).toBe(`[03:07] ann: hi (${at.toISOString()})`);
  });

  it('refuses a letter that is not a token, naming the tokens', () => {
    expect(parseTimeFormat('hh:mm')).toEqual({
      error:
        '"h" in time format "hh:mm" is not a token; use YYYY MM DD HH mm ss SSS Z (add " utc" for UTC)',
    });
    expect(parseTimeFormat('')).toEqual({ error: 'an empty time format; write e.g. {time:HH:mm}' });
  });

  it('reports a bad format at the recipe line:col', () => {
    const [err] = expectErrors(botWith(`- post:\n  do: [{ reply: "at {time:hh:mm}" }]`));
    expect(err).toMatch(
      /^test\.yaml:6:\d+: bots\[0\]\.on\[0\]\.do\[0\]\.reply: .*"h" in time format "hh:mm" is not a token/,
    );
  });
});
