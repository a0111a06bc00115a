import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, progressLine } from '../../../src/cli/progress.js';

describe('progress display', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
  ])('formats %d bytes as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it.each([
    [0, '0:00'],
    [65, '1:05'],
    [3725, '1:02:05'],
    [Number.NaN, '--:--'],
    [Number.POSITIVE_INFINITY, '--:--'],
  ])('formats %d seconds as %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('shows bytes, percentage, rate and ETA', () => {
    expect(progressLine({ fileName: 'a.iso', size: 4096, bytes: 1024, rate: 512 })).toBe(
      'a.iso  1.0 KiB / 4.0 KiB  25%  512 B/s  ETA 0:06',
    );
    expect(progressLine({ fileName: 'x', size: 10, bytes: 0, rate: 0 })).toMatch(/0%.*ETA --:--$/);
  });
});
