import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { HashCache } from '../../../bots/file-server/listing.js';

// `info` answers with a sha256 remembered by path, size and mtime: hashing a large file is
// the slow part, and a file that did not change need not be read again.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaykit-hashes-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

it('hashes a file once per path, size and mtime; a change of any of them hashes again', async () => {
  const file = join(dir, 'a.txt');
  await writeFile(file, 'first');
  const cache = new HashCache();
  const first = cache.sha256(file, 5, 1000);
  expect(cache.sha256(file, 5, 1000)).toBe(first); // the same work, not a second read
  expect(await first).toBe(sha('first'));
  await writeFile(file, 'other');
  // Same size and mtime as remembered: the remembered hash (the key is what ls shows).
  expect(await cache.sha256(file, 5, 1000)).toBe(sha('first'));
  expect(await cache.sha256(file, 5, 2000)).toBe(sha('other'));
  await writeFile(file, 'longer');
  expect(await cache.sha256(file, 6, 2000)).toBe(sha('longer'));
});

it('a file that cannot be read is not remembered: the next ask tries again', async () => {
  const file = join(dir, 'later.txt');
  const cache = new HashCache();
  await expect(cache.sha256(file, 5, 1)).rejects.toMatchObject({ code: 'ENOENT' });
  await writeFile(file, 'there');
  expect(await cache.sha256(file, 5, 1)).toBe(sha('there'));
});
