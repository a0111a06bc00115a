import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRedis } from '../../support/redis-server.js';

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => s.write('CONFIG GET save\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
  });
}

// Groundwork for the cluster (issue #9): every cluster test runs against a real redis-server.
describe('startRedis (test support for the cluster)', () => {
  it('starts a real redis-server with persistence off and removes it on stop', async () => {
    const redis = await startRedis();
    const reply = await ping(redis.port);
    expect(reply).toContain('save');
    expect(reply).not.toMatch(/\$\d+\r\n\d+ \d+/); // no save schedule
    await redis.stop();
    expect(redis.child.exitCode !== null || redis.child.signalCode !== null).toBe(true);
    await expect(ping(redis.port)).rejects.toThrow();
  });

  it('restarts empty on the same port (the "Redis restarted" fault)', async () => {
    const first = await startRedis();
    await first.stop();
    const again = await startRedis(first.port);
    expect(again.port).toBe(first.port);
    await again.stop();
  });

  it('finds redis-server where .ci/run installs it', () => {
    expect(existsSync('/usr/bin/redis-server')).toBe(true);
  });
});
