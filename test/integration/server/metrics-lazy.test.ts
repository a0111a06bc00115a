import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A child process, since other tests in this worker load prom-client. prom-client is
// CommonJS, so importing it from ESM leaves it in require.cache.
const SCRIPT = `
import { createRequire } from 'node:module';
import { createServer } from './src/server/index.ts';
const metrics = process.argv[1] === 'on' ? { metrics: { port: 0 } } : {};
const server = createServer({ port: 0, ...metrics });
await server.listen();
await server.close();
const cache = createRequire(import.meta.url).cache;
console.log(Object.keys(cache).some((p) => p.includes('prom-client')) ? 'loaded' : 'absent');
`;

function promClientAfterRun(metrics: 'on' | 'off'): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, metrics],
    { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 },
  ).trim();
}

describe('prom-client loading', () => {
  it('is never imported by a server without metrics, and is with them', () => {
    expect(promClientAfterRun('off')).toBe('absent');
    expect(promClientAfterRun('on')).toBe('loaded');
  });
});
