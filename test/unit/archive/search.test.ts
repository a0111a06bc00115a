import { appendFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SearchHit, type SearchQuery, searchArchive } from '../../../src/archive/search.js';
import { ArchiveTree } from '../../../src/archive/tree.js';
import { type ArchiveFixture, archiveFixture } from './fixture.js';

let fx: ArchiveFixture;
beforeEach(() => {
  fx = archiveFixture();
});
afterEach(() => fx.remove());

async function search(query: SearchQuery): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  for await (const hit of searchArchive(new ArchiveTree(fx.dir), query)) hits.push(hit);
  return hits;
}

const brief = (h: SearchHit): string => `${h.roomName} ${h.day} ${h.record.seq} ${h.record.text}`;

describe('searchArchive', () => {
  beforeEach(() => {
    const { writer } = fx;
    fx.at('2026-11-25T10:00:00Z');
    writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'Deploy started' });
    writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'ok' });
    writer.write({ room: 'dev', type: 'post', from: 'deploy-bot', text: 'build green' });
    fx.at('2026-11-26T10:00:00Z');
    writer.write({ room: 'ops', type: 'join', from: 'carol' });
    writer.write({ room: 'ops', type: 'post', from: 'carol', text: 'the DEPLOY is done' });
    writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'say "deploy" \\o/' });
    writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'bye, deploy later' });
    writer.write({ room: 'ops', type: 'quit', from: 'alice' });
    writer.close();
    // An upgrade: a format-1 farewell repeating that post lands in the same file.
    appendFileSync(
      writer.paths('ops', new Date('2026-11-26T10:00:00Z')).jsonl,
      '{"v":1,"ts":"2026-11-26T10:00:01.000Z","seq":6,"room":"ops","type":"farewell","from":"alice","text":"bye, deploy later"}\n',
    );
  });

  it('finds text case-insensitively, most recent day first, lines in order, with context', async () => {
    const hits = await search({ q: 'deploy' });
    expect(hits.map(brief)).toEqual([
      'ops 2026-11-26 2 the DEPLOY is done',
      'ops 2026-11-26 3 say "deploy" \\o/',
      'ops 2026-11-26 4 bye, deploy later',
      'ops 2026-11-25 1 Deploy started',
    ]);
    // Not the name `deploy-bot`: only message text counts.
    expect(hits[0]!.before.map((r) => r.kind)).toEqual(['join']);
    expect(hits[0]!.after.map((r) => r.seq)).toEqual([3]);
    expect(hits[3]!.before).toEqual([]);
    expect(hits[3]!.after.map((r) => r.text)).toEqual(['ok']);
  });

  it('matches quotes and backslashes, which the JSON escapes, and never keys or names', async () => {
    expect((await search({ q: '"deploy" \\o' })).map(brief)).toEqual([
      'ops 2026-11-26 3 say "deploy" \\o/',
    ]);
    expect(await search({ q: 'post' })).toEqual([]);
    expect(await search({ q: 'carol' })).toEqual([]);
    expect(await search({ q: '"type"' })).toEqual([]);
  });

  it('filters by room and by a day range', async () => {
    expect((await search({ q: 'GREEN', room: 'dev' })).map(brief)).toEqual([
      'dev 2026-11-25 1 build green',
    ]);
    expect((await search({ q: 'deploy', until: '2026-11-25' })).map(brief)).toEqual([
      'ops 2026-11-25 1 Deploy started',
    ]);
    expect((await search({ q: 'deploy', since: '2026-11-26', room: 'ops' })).length).toBe(3);
  });

  it('gives exact context across the 4 MiB read boundary of a large day', async () => {
    fx.at('2026-11-27T00:00:00Z');
    fx.writer.write({ room: 'big', type: 'post', from: 'u', text: 'needle 1' });
    fx.writer.close();
    // ~130-byte records in the writer's format, appended at once: 40,000 of them cross the
    // read chunk; needles sit around the chunk ends and at the file's end.
    const needles = new Set([1, 2, 32_000, 32_300, 32_600, 33_000, 39_999, 40_000]);
    const path = fx.writer.paths('big', new Date('2026-11-27T00:00:00Z')).jsonl;
    let lines = '';
    for (let i = 2; i <= 40_000; i++) {
      const text = `${needles.has(i) ? 'needle' : 'line'} ${i} ${'x'.repeat(60)}`;
      lines += `${JSON.stringify({ v: 1, ts: '2026-11-27T00:00:00.000Z', seq: i, room: 'big', type: 'post', from: 'u', text })}\n`;
    }
    appendFileSync(path, lines);
    expect(statSync(path).size).toBeGreaterThan(5 * 1024 * 1024);
    const hits = await search({ q: 'NEEDLE', room: 'big', context: 2 });
    expect(hits.map((h) => h.record.seq)).toEqual([...needles]);
    for (const hit of hits) {
      const n = hit.record.seq;
      expect(hit.before.map((r) => r.seq)).toEqual([n - 2, n - 1].filter((s) => s >= 1));
      expect(hit.after.map((r) => r.seq)).toEqual([n + 1, n + 2].filter((s) => s <= 40_000));
    }
  });

  it('finds nothing for an empty query and stops when the caller stops', async () => {
    expect(await search({ q: '' })).toEqual([]);
    let seen = 0;
    for await (const _ of searchArchive(new ArchiveTree(fx.dir), { q: 'deploy' })) {
      seen += 1;
      break;
    }
    expect(seen).toBe(1);
  });
});
