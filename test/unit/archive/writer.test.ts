import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { safeSegment, serverSegment } from '../../../src/archive/path.js';
import { ArchiveWriter } from '../../../src/archive/writer.js';
import { reopenOnHangup } from '../../../src/cli/hangup.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-archive-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const records = (path: string) => lines(path).map((l) => JSON.parse(l));

describe('archive path safety', () => {
  it.each([
    ['ops', 'ops'],
    ['.', '%2E'],
    ['..', '%2E.'],
    ['../etc', '%2E.%2Fetc'],
    ['a/b', 'a%2Fb'],
    ['a\\b', 'a%5Cb'],
    ['100%', '100%25'],
    ['café', 'caf%C3%A9'],
    ['.hidden', '%2Ehidden'],
    ['v1.2', 'v1.2'],
    ['CON', '%43ON'],
    ['nul.txt', '%6Eul.txt'],
  ])('%j becomes %j', (name, segment) => {
    expect(safeSegment(name)).toBe(segment);
  });

  it('is reversible and never escapes its directory, for any name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (name) => {
        const seg = safeSegment(name);
        expect(seg).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/);
        expect(decodeURIComponent(seg)).toBe(name);
        expect(resolve('/base', seg).startsWith('/base/')).toBe(true);
      }),
    );
  });

  it('names the server directory host_port', () => {
    expect(serverSegment('127.0.0.1:17734')).toBe('127.0.0.1_17734');
    expect(serverSegment('[::1]:4000')).toBe('%3A%3A1_4000');
    expect(serverSegment('a.example:1,b.example:2')).toBe('a.example_1');
    expect(serverSegment({ host: 'chat.example.org', port: 1 })).toBe('chat.example.org_1');
  });

  it('writes a room with a hostile name inside the archive', () => {
    const w = new ArchiveWriter({ dir, server: '127.0.0.1:17734' });
    w.write({ room: '..', type: 'post', from: 'eve', text: 'hi' });
    w.close();
    expect(readdirSync(join(dir, '127.0.0.1_17734'))).toEqual(['%2E.']);
  });
});

describe('ArchiveWriter', () => {
  it('writes one JSON object and one IRC-style line per event', () => {
    let now = new Date('2026-11-26T13:05:09.120Z');
    const w = new ArchiveWriter({ dir, server: '127.0.0.1:17734', now: () => now });
    w.write({ room: 'ops', type: 'join', from: 'alice' });
    now = new Date('2026-11-26T13:05:10.000Z');
    w.write({ room: 'ops', type: 'post', from: 'alice', text: 'deploy done' });
    // A quit never carries text, even when given some: the farewell is the post before it.
    w.write({ room: 'ops', type: 'quit', from: 'alice', text: 'bye' });
    w.write({ room: 'ops', type: 'leave', from: 'bob' });
    w.close();
    const base = join(dir, '127.0.0.1_17734', 'ops', '2026-11-26');
    expect(records(`${base}.jsonl`)).toEqual([
      {
        v: 2,
        ts: '2026-11-26T13:05:09.120Z',
        seq: 1,
        room: 'ops',
        type: 'join',
        from: 'alice',
        text: null,
      },
      {
        v: 2,
        ts: '2026-11-26T13:05:10.000Z',
        seq: 2,
        room: 'ops',
        type: 'post',
        from: 'alice',
        text: 'deploy done',
      },
      {
        v: 2,
        ts: '2026-11-26T13:05:10.000Z',
        seq: 3,
        room: 'ops',
        type: 'quit',
        from: 'alice',
        text: null,
      },
      {
        v: 2,
        ts: '2026-11-26T13:05:10.000Z',
        seq: 4,
        room: 'ops',
        type: 'leave',
        from: 'bob',
        text: null,
      },
    ]);
    expect(lines(`${base}.log`)).toEqual([
      '[13:05:09] *** alice joined',
      '[13:05:10] <alice> deploy done',
      '[13:05:10] *** alice quit',
      '[13:05:10] *** bob left',
    ]);
  });

  it('keeps the exact text in .jsonl but never a C1 control in the readable .log', () => {
    const w = new ArchiveWriter({
      dir,
      server: 'h_1',
      now: () => new Date('2026-11-26T10:00:00Z'),
    });
    w.write({ room: 'ops', type: 'post', from: 'eve', text: 'a\u009b2Jb' });
    w.close();
    const base = join(dir, 'h_1', 'ops', '2026-11-26');
    expect(records(`${base}.jsonl`)[0].text).toBe('a\u009b2Jb');
    expect(lines(`${base}.log`)).toEqual(['[10:00:00] <eve> a\uFFFD2Jb']);
  });

  it('rolls over to a new file at UTC midnight, judged at write time', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-26T23:59:59.900Z'));
    const w = new ArchiveWriter({ dir, server: 'h_1' });
    w.write({ room: 'ops', type: 'post', from: 'a', text: 'late' });
    vi.setSystemTime(new Date('2026-11-27T00:00:00.100Z'));
    w.write({ room: 'ops', type: 'post', from: 'a', text: 'early' });
    w.close();
    const room = join(dir, 'h_1', 'ops');
    expect(readdirSync(room).sort()).toEqual([
      '2026-11-26.jsonl',
      '2026-11-26.log',
      '2026-11-27.jsonl',
      '2026-11-27.log',
    ]);
    expect(records(join(room, '2026-11-26.jsonl')).map((r) => [r.text, r.seq])).toEqual([
      ['late', 1],
    ]);
    expect(records(join(room, '2026-11-27.jsonl')).map((r) => [r.text, r.seq])).toEqual([
      ['early', 1],
    ]);
    expect(lines(join(room, '2026-11-27.log'))).toEqual(['[00:00:00] <a> early']);
  });

  it('continues seq after a restart and mends a torn last line', () => {
    const now = () => new Date('2026-11-26T10:00:00Z');
    const first = new ArchiveWriter({ dir, server: 'h_1', now });
    first.write({ room: 'ops', type: 'post', from: 'a', text: 'one' });
    first.write({ room: 'ops', type: 'post', from: 'a', text: 'two' });
    first.close();
    const path = join(dir, 'h_1', 'ops', '2026-11-26.jsonl');
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"v":1,"ts":"2026-11`);
    const second = new ArchiveWriter({ dir, server: 'h_1', now });
    second.write({ room: 'ops', type: 'post', from: 'a', text: 'three' });
    second.close();
    const text = readFileSync(path, 'utf8').split('\n');
    expect(JSON.parse(text[3]!)).toMatchObject({ seq: 3, text: 'three' });
    expect(text[2]).toBe('{"v":1,"ts":"2026-11');
  });

  it('reopens its files on SIGHUP, so logrotate can move them away', () => {
    const now = () => new Date('2026-11-26T10:00:00Z');
    const w = new ArchiveWriter({ dir, server: 'h_1', now });
    const off = reopenOnHangup(() => w.reopen());
    try {
      const base = join(dir, 'h_1', 'ops', '2026-11-26');
      w.write({ room: 'ops', type: 'post', from: 'a', text: 'before rotation' });
      renameSync(`${base}.jsonl`, `${base}.jsonl.1`);
      renameSync(`${base}.log`, `${base}.log.1`);
      // Without a reopen the fd still points at the moved file.
      w.write({ room: 'ops', type: 'post', from: 'a', text: 'still old fd' });
      process.emit('SIGHUP', 'SIGHUP');
      w.write({ room: 'ops', type: 'post', from: 'a', text: 'after rotation' });
      w.close();
      expect(records(`${base}.jsonl.1`).map((r) => r.text)).toEqual([
        'before rotation',
        'still old fd',
      ]);
      expect(records(`${base}.jsonl`).map((r) => r.text)).toEqual(['after rotation']);
      expect(lines(`${base}.log`)).toEqual(['[10:00:00] <a> after rotation']);
    } finally {
      off();
      w.close();
    }
  });
});
