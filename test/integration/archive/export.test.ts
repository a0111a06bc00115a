import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSite } from '../../../src/archive/web/index.js';
import { type ArchiveFixture, archiveFixture } from '../../unit/archive/fixture.js';

let fx: ArchiveFixture;
let out: string;
beforeEach(() => {
  fx = archiveFixture('[::1]:17734');
  out = mkdtempSync(join(tmpdir(), 'relaykit-site-'));
});
afterEach(() => {
  fx.remove();
  rmSync(out, { recursive: true, force: true });
});

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => join(e.parentPath, e.name));
}

describe('relaykit archive html', () => {
  it('writes every page with relative links that all resolve, and copies the raw files', async () => {
    fx.at('2026-11-25T10:00:00Z');
    fx.writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'first day' });
    fx.writer.write({
      room: 'room with spaces/and#hash',
      type: 'post',
      from: 'bob',
      text: 'odd room',
    });
    fx.at('2026-11-26T10:00:00Z');
    fx.writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'second day' });
    fx.writer.close();
    const summary = await exportSite(fx.dir, out);
    expect(summary).toEqual({ pages: 1 + 2 + 3, files: 6 });
    expect(existsSync(join(out, 'assets', 'style.css'))).toBe(true);
    const all = pages(out);
    expect(all.length).toBe(6);
    for (const page of all) {
      const body = readFileSync(page, 'utf8');
      // No server: no script, no search form, no live tail.
      expect(body).not.toContain('<script');
      expect(body).not.toContain('data-src=');
      for (const m of body.matchAll(/(?:href|src)="([^"#]+)(#[^"]*)?"/g)) {
        const target = m[1]!.replaceAll('&amp;', '&');
        if (/^https?:/.test(target)) continue;
        const file = join(dirname(page), decodeURIComponent(target));
        expect(existsSync(file), `${page} → ${target}`).toBe(true);
      }
    }
    const day = readFileSync(join(out, '%3A%3A1_17734', 'ops', '2026-11-26.html'), 'utf8');
    expect(day).toContain('second day');
    expect(day).toContain('rel="prev" href="../../%253A%253A1_17734/ops/2026-11-25.html"');
    expect(readFileSync(join(out, '%3A%3A1_17734', 'ops', '2026-11-26.jsonl'), 'utf8')).toBe(
      readFileSync(fx.writer.paths('ops', new Date('2026-11-26T00:00:00Z')).jsonl, 'utf8'),
    );
  });

  it('refuses to write the site inside the archive, and a --dir that is not a directory', async () => {
    await expect(exportSite(fx.dir, join(fx.dir, 'site'))).rejects.toMatchObject({
      code: 'EXPORT_INSIDE_ARCHIVE',
    });
    await expect(exportSite(join(fx.dir, 'missing'), out)).rejects.toMatchObject({
      code: 'ARCHIVE_DIR',
    });
  });
});
