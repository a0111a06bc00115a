import { describe, expect, it } from 'vitest';
import { readArgs } from '../../../stress/cli-args.js';

const USAGE = 'npm run fuzz -- [--iterations N] [--cluster]';
const OPTIONS = {
  iterations: { type: 'string', default: '100000' },
  cluster: { type: 'boolean', default: false },
} as const;

describe('the developer scripts read their flags', () => {
  it('returns the values, defaults filled in', () => {
    const r = readArgs(['--iterations', '5'], OPTIONS, USAGE);
    expect(r).toEqual({ ok: true, values: { iterations: '5', cluster: false } });
  });

  it('answers --help and -h with the usage and exit code 0', () => {
    for (const flag of ['--help', '-h']) {
      expect(readArgs(['--iterations', '5', flag], OPTIONS, USAGE)).toEqual({
        ok: false,
        code: 0,
        text: USAGE,
      });
    }
  });

  it('names an unknown flag, a missing value or a stray argument, then gives the usage (exit 2)', () => {
    for (const [argv, problem] of [
      [['--iterationz', '5'], "Unknown option '--iterationz'"],
      [['--iterations'], "Option '--iterations <value>' argument missing"],
      [['5'], "Unexpected argument '5'"],
    ] as const) {
      const r = readArgs(argv, OPTIONS, USAGE);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe(2);
      expect(r.text).toContain(problem);
      expect(r.text.endsWith(USAGE)).toBe(true);
    }
  });

  it('takes --no-X for a boolean when asked to', () => {
    const options = { save: { type: 'boolean', default: true } } as const;
    expect(readArgs(['--no-save'], options, USAGE, { allowNegative: true })).toEqual({
      ok: true,
      values: { save: false },
    });
    expect(readArgs(['--no-save'], options, USAGE).ok).toBe(false);
  });
});
