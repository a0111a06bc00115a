import { describe, expect, it } from 'vitest';
import { numberedName, pathInside, safeFileName } from '../../../src/client/safe-name.js';

describe('safeFileName', () => {
  it.each([
    ['report.txt', 'report.txt'],
    ['.', 'file'],
    ['..', 'file'],
    ['...', 'file'],
    ['a\\..\\b', 'a_.._b'],
    ['CON.txt', '_CON.txt'],
    ['in*valid?.txt', 'in_valid_.txt'],
    ['.hidden', '.hidden'],
  ])('%j → %j', (input, out) => {
    expect(safeFileName(input)).toBe(out);
  });

  it('shortens long names to at most 200 bytes, keeping the extension', () => {
    const safe = safeFileName(`${'é'.repeat(400)}.tar`);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200);
    expect(safe.endsWith('é.tar')).toBe(true);
  });

  it('numbers names and never leaves the directory', () => {
    expect(numberedName('report.txt', 0)).toBe('report.txt');
    expect(numberedName('report.txt', 2)).toBe('report (2).txt');
    expect(numberedName('README', 1)).toBe('README (1)');
    expect(numberedName('.env', 1)).toBe('.env (1)');
    expect(pathInside('/srv/in', 'a.txt')).toBe('/srv/in/a.txt');
    expect(() => pathInside('/srv/in', '..')).toThrow(/outside/);
    expect(() => pathInside('/srv/in', '.')).toThrow(/outside/);
  });
});
