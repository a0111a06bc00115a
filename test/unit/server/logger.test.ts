import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/server/logger.js';

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes readable lines with key=value fields, quoting only where needed', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream });
    log.info('registered', { name: 'alice', conn: 3, skipped: undefined });
    log.warn('protocol error', { reason: 'name in use' });
    const [first, second] = out.lines();
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}registered name=alice conn=3$/);
    expect(second).toMatch(/WARN {2}protocol error reason="name in use"$/);
  });

  it('writes one JSON object per line with --json', () => {
    const out = capture();
    createLogger({ stream: out.stream, json: true }).error('accept failed', { reason: 'EMFILE' });
    const record = JSON.parse(out.lines()[0]!);
    expect(record).toMatchObject({ level: 'error', msg: 'accept failed', reason: 'EMFILE' });
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
  });

  it('drops lines below its level', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream, level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(out.lines()).toHaveLength(1);
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('error')).toBe(true);
    createLogger({ stream: out.stream, level: 'silent' }).error('nothing');
    expect(out.lines()).toHaveLength(1);
  });

  it('refuses an unknown level with the valid ones listed', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(
      /debug, info, warn, error, silent/,
    );
  });
});
