import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis } from '../../support/redis-server.js';

// `npm run fuzz -- --cluster` and `npm run soak -- --cluster` start their Redis with this;
// without redis-server the run crashed on an unhandled 'error' event with a stack trace.
describe('startRedis without redis-server on PATH', () => {
  const path = process.env.PATH;
  const empty = mkdtempSync(join(tmpdir(), 'relaykit-no-redis-'));
  afterEach(() => {
    process.env.PATH = path;
  });

  it('fails with a message that says how to install it', async () => {
    process.env.PATH = empty;
    try {
      await expect(startRedis()).rejects.toThrow(
        'redis-server is not installed (or not on PATH): install it (Debian: apt-get install redis-server)',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
