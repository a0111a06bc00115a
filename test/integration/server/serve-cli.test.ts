import { afterEach, describe, expect, it } from 'vitest';
import { frames, Kind } from '../../../src/protocol/index.js';
import { killServed, lineMatching, serve } from '../../support/serve-process.js';
import { cleanup, TestClient } from './helpers.js';

afterEach(async () => {
  await cleanup();
  killServed();
});

describe('relaykit serve', () => {
  it('serves, logs JSON lines, and on SIGINT says farewell to every client and exits 0', async () => {
    const s = serve(['--port', '0', '--json-logs']);
    const [, port] = await lineMatching(s, /"msg":"listening".*"port":(\d+)/);
    const alice = await TestClient.registered(Number(port), 'alice');
    alice.send(frames.enterRoom('ops'));
    await alice.next(Kind.USER_LISTING);
    await lineMatching(s, /"msg":"room created"/);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    await alice.closedWith();
    expect(alice.inbox).toEqual([frames.serverDeparts('Server shutting down, goodbye')]);
    const lines = s.stderr().trim().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        'listening',
        'connection opened',
        'registered',
        'room created',
        'stopping',
        'connection closed',
        'stopped',
      ]),
    );
  }, 30_000);

  it('writes readable lines by default and stops on SIGTERM too', async () => {
    const s = serve(['--port', '0', '--max-users', '1']);
    const [, port] = await lineMatching(s, /INFO\s+listening host=127\.0\.0\.1 port=(\d+)/);
    await TestClient.registered(Number(port), 'alice');
    const bob = await TestClient.connect(Number(port));
    bob.send(frames.newClient('bob'));
    await bob.closedWith();
    await lineMatching(
      s,
      /WARN\s+protocol error .*code=TOO_MANY_USERS reason="user limit of 1 reached"/,
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('without TLS, lives through SIGHUP (systemctl reload), saying there is nothing to re-read', async () => {
    const s = serve(['--port', '0']);
    const [, port] = await lineMatching(s, /INFO\s+listening host=127\.0\.0\.1 port=(\d+)/);
    const alice = await TestClient.registered(Number(port), 'alice');
    s.child.kill('SIGHUP');
    await lineMatching(s, /INFO\s+SIGHUP: no TLS certificate to re-read/);
    expect(await alice.query('alice')).toBe(1);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('refuses a heartbeat timeout under 20 s with a clear message', async () => {
    const s = serve(['--port', '0', '--heartbeat-timeout', '5']);
    expect(await s.exited).toBe(1);
    expect(s.stderr()).toMatch(/--heartbeat-timeout must be at least 20 seconds.*got 5/);
  }, 30_000);

  it('--metrics serves /metrics and /healthz, and a bad address is a usage error', async () => {
    const s = serve(['--port', '0', '--metrics', '127.0.0.1:0']);
    const [, mport] = await lineMatching(s, /INFO\s+serving metrics host=127\.0\.0\.1 port=(\d+)/);
    const health = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', connections: 0, users: 0 });
    const text = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
    expect(text).toContain('# TYPE relaykit_connections gauge');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    const bad = serve(['--port', '0', '--metrics', 'localhost']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('--metrics wants host:port');
  }, 30_000);
});
