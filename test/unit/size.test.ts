import { describe, expect, it } from 'vitest';
import { parseSizeOption } from '../../src/cli/size.js';
import { parseSize } from '../../src/size.js';
import { expectErrors, expectValid } from './recipes/helpers.js';

// One rule for sizes everywhere: kB/MB/GB are decimal, KiB/MiB/GiB binary, K/M/G binary
// shorthand. Regression: `receive --max-size 10MB` read 10 MiB while a recipe's
// `maxSize: 10MB` read 10^7 and refused `10M`.
describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['1048576', 1_048_576],
    ['512B', 512],
    ['500kB', 500_000],
    ['500KB', 500_000],
    ['10MB', 10_000_000],
    ['10mb', 10_000_000],
    ['1GB', 1_000_000_000],
    ['1TB', 1_000_000_000_000],
    ['512KiB', 512 * 1024],
    ['4 MiB', 4 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['512k', 512 * 1024],
    ['10M', 10 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    [' 2.5 kB ', 2500],
    ['1.0001kB', 1000],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'MB', '-1MB', '10 parsecs', '10XB', '1e6', '10MiBs', '0x10'])(
    'refuses %j',
    (text) => {
      expect(parseSize(text)).toBeUndefined();
    },
  );

  it('takes a number as bytes', () => {
    expect(parseSize(12)).toBe(12);
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(Number.NaN)).toBeUndefined();
  });
});

describe('the CLI and recipes read a size the same way', () => {
  it.each(['10MB', '10MiB', '10M', '512k', '4096'])('%s', (text) => {
    const plan = expectValid(`bots:
  - name: sink
    on:
      - offer:
        do: [{ accept: { dir: in, maxSize: "${text}" } }]
`);
    const action = plan.bots[0]!.rules[0]!.actions[0]!;
    expect(action).toMatchObject({ kind: 'accept', plan: { maxSize: parseSizeOption(text) } });
    expect(parseSizeOption(text)).toBe(parseSize(text));
  });

  it('both refuse a non-size and list the accepted forms', () => {
    expect(() => parseSizeOption('ten')).toThrow(/kB, MB, GB \(×1000\), KiB, MiB, GiB \(×1024\)/);
    const [problem] = expectErrors(`bots:
  - name: sink
    on:
      - offer:
        do: [{ accept: { dir: in, maxSize: ten } }]
`);
    expect(problem).toContain('maxSize');
  });
});
