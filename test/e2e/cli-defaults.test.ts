import { connect as netConnect } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { DEFAULT_PORT } from '../../src/protocol/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

// Issue #17, §3 and §4: what a new user typed, and what they should have seen.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.map((c) => c.close()));
  clients = [];
  await srv.server.close();
});

/** True when something accepts connections on 127.0.0.1:17734 (another engineer's server). */
function defaultPortAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(DEFAULT_PORT, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('one-shot commands with no server running', () => {
  it.each([
    ['say', 'lobby', 'hello', '--as', 'piper'],
    ['send', 'bob', 'package.json'],
    ['rooms'],
    ['who', 'lobby'],
    ['online', 'bob'],
  ])('relaykit %s … exits 2 and says how to start a server', async (...args) => {
    // The test must not bind 17734; it needs 17734 free, which it is unless someone runs a
    // server there right now.
    if (await defaultPortAnswers()) return expect.soft(true).toBe(true);
    const end = await runCli(args);
    expect(end.code).toBe(2);
    expect(end.stderr).toContain(
      'no relay server on 127.0.0.1:17734; start one with `relaykit serve` or `relaykit run …`',
    );
    expect(end.stderr).not.toMatch(/bundled server/);
  });
});

describe('room notation', () => {
  it('say #lobby posts to lobby, ##lobby to the room #lobby; who #lobby lists lobby', async () => {
    const alice = await connect({ name: 'alice', host: srv.host, port: srv.port });
    clients.push(alice);
    await alice.join('lobby');
    await alice.join('#lobby');
    const seen: string[] = [];
    alice.onPost({}, ({ room, text, self }) => {
      if (!self) seen.push(`${room}:${text}`);
    });
    expect((await runCli(['say', '#lobby', 'one', '--as', 'irc', '--server', srv.arg])).code).toBe(
      0,
    );
    expect((await runCli(['say', '##lobby', 'two', '--as', 'irc', '--server', srv.arg])).code).toBe(
      0,
    );
    await expect.poll(() => seen).toEqual(['lobby:one', '#lobby:two']);
    const who = await runCli(['who', '#lobby', '--as', 'w', '--server', srv.arg]);
    expect(who.stdout.trim()).toBe('alice');
  });
});

describe('messages a person reads', () => {
  it('--server http://… is recognised as a URL and the expected form is shown', async () => {
    const end = await runCli(['rooms', '--server', 'http://127.0.0.1:4000']);
    expect(end.code).toBe(1);
    expect(end.stderr).toMatch(/is a http:\/\/ URL/);
    expect(end.stderr).toMatch(/--server 127\.0\.0\.1:4000/);
    expect(end.stderr).not.toMatch(/IPv6/);
  });

  it('an invalid --as shows no internal codes, unless --verbose', async () => {
    const plain = await runCli(['say', 'lobby', 'hi', '--as', 'a b', '--server', srv.arg]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Invalid name/);
    expect(plain.stderr).not.toMatch(/NAME_FORBIDDEN_CHARACTER|wire ILLEGAL_NAME/);
    const verbose = await runCli([
      'say',
      'lobby',
      'hi',
      '--as',
      'a b',
      '--server',
      srv.arg,
      '--verbose',
    ]);
    expect(verbose.stderr).toMatch(/\[NAME_FORBIDDEN_CHARACTER, wire ILLEGAL_NAME\]/);
  });

  it('listen with no room says what to type', async () => {
    const end = await runCli(['listen']);
    expect(end.code).toBe(1);
    expect(end.stderr).toMatch(/Name a room to listen to: relaykit listen <room>/);
    expect(end.stderr).not.toMatch(/non-option/);
  });
});

describe('help', () => {
  it('uses the width it is given: a wide terminal keeps each example on one line', async () => {
    const end = await runCli(['--help'], { env: { COLUMNS: '200' } });
    expect(end.stdout).toMatch(
      /tail -f app\.log \| relaykit say ops --as logbot --server 127\.0\.0\.1:17734 +a log into a room/,
    );
  });

  it.each(['serve', 'validate', 'cert'])('%s --help does not offer --server', async (command) => {
    const end = await runCli([command, '--help']);
    expect(end.code).toBe(0);
    expect(end.stdout).not.toMatch(/--server\b/);
  });

  it('list positionals show no [default: []]', async () => {
    for (const command of ['listen', 'run', 'validate', 'archive']) {
      const end = await runCli([command, '--help']);
      expect(end.code, command).toBe(0);
      expect(end.stdout).toMatch(/\[array\] \[required\]/);
      expect(end.stdout).not.toMatch(/\[default: \[\]\]/);
    }
  });
});
