import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecord, recordTime } from '../../../src/archive/record.js';
import { ArchiveWriter } from '../../../src/archive/writer.js';

describe('parseRecord', () => {
  it('reads what the writer writes (format 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaykit-record-'));
    try {
      const w = new ArchiveWriter({
        dir,
        server: 'h:1',
        now: () => new Date('2026-11-26T13:05:09.120Z'),
      });
      w.write({ room: 'ops', type: 'join', from: 'al' });
      w.write({ room: 'ops', type: 'post', from: 'al', text: 'hi "there"' });
      w.write({ room: 'ops', type: 'leave', from: 'al' });
      w.write({ room: 'ops', type: 'quit', from: 'al' });
      w.close();
      const lines = readFileSync(w.paths('ops', new Date('2026-11-26T00:00:00Z')).jsonl, 'utf8')
        .trimEnd()
        .split('\n');
      expect(lines.map(parseRecord)).toEqual([
        {
          seq: 1,
          ts: '2026-11-26T13:05:09.120Z',
          kind: 'join',
          rawType: 'join',
          from: 'al',
          text: null,
          v: 2,
        },
        {
          seq: 2,
          ts: '2026-11-26T13:05:09.120Z',
          kind: 'post',
          rawType: 'post',
          from: 'al',
          text: 'hi "there"',
          v: 2,
        },
        {
          seq: 3,
          ts: '2026-11-26T13:05:09.120Z',
          kind: 'leave',
          rawType: 'leave',
          from: 'al',
          text: null,
          v: 2,
        },
        {
          seq: 4,
          ts: '2026-11-26T13:05:09.120Z',
          kind: 'quit',
          rawType: 'quit',
          from: 'al',
          text: null,
          v: 2,
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads format 1: a farewell is a quit, its repeated text dropped', () => {
    expect(
      parseRecord(
        '{"v":1,"ts":"2026-11-26T00:00:01Z","seq":4,"room":"ops","type":"farewell","from":"al","text":"bye"}',
      ),
    ).toEqual({
      seq: 4,
      ts: '2026-11-26T00:00:01Z',
      kind: 'quit',
      rawType: 'farewell',
      from: 'al',
      text: null,
      v: 1,
    });
  });

  it('reads a later format: a departure without text, unknown types kept, v as written', () => {
    expect(
      parseRecord('{"v":2,"ts":"2026-11-26T00:00:01Z","seq":3,"type":"quit","from":"bob"}'),
    ).toMatchObject({
      kind: 'quit',
      text: null,
      v: 2,
      seq: 3,
    });
    expect(
      parseRecord('{"v":2,"seq":4,"type":"topic","from":"bob","text":"new topic"}'),
    ).toMatchObject({
      kind: 'other',
      rawType: 'topic',
      text: 'new topic',
      ts: '',
    });
  });

  it('returns undefined for torn lines, blank lines and foreign JSON', () => {
    for (const line of [
      '',
      '{"v":1,"ts":"2026',
      'null',
      '[1]',
      '"text"',
      '{"type":"post"}',
      '{"from":"x"}',
    ]) {
      expect(parseRecord(line)).toBeUndefined();
    }
  });

  it('formats the time of day, and a placeholder without a timestamp', () => {
    expect(recordTime({ ts: '2026-11-26T13:05:09.120Z' })).toBe('13:05:09');
    expect(recordTime({ ts: '' })).toBe('--:--:--');
  });
});
