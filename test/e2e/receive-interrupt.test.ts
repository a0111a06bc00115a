import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-interrupt-'));
});
afterEach(async () => {
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

/** 16 MiB of a declared 300 MiB, then nothing: the receiver is mid-file for as long as we like. */
function stallingSource(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < 16 * MiB) {
        sent += MiB;
        this.push(Buffer.alloc(MiB, sent & 0xff));
      }
    },
  });
}

describe('relaykit receive, interrupted in the middle of a file', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: says which file it gave up, deletes the partial file, tells the sender, exits 130',
    async (signal) => {
      const inbox = join(dir, 'in');
      const receiver = startCli(['receive', '--dir', inbox, '--as', 'bob', '--server', srv.arg]);
      await receiver.waitFor(/receiving files as bob/);
      const alice = await connect({ name: 'alice', port: srv.port });
      try {
        const transfer = alice.sendFile('bob', stallingSource(), {
          name: 'big.bin',
          size: 300 * MiB,
        });
        const outcome = transfer.done.then(
          () => 'completed',
          (err: { code?: string }) => err.code,
        );
        // Mid-file: the partial file is there and growing.
        await expect
          .poll(() => readdirSync(inbox).filter((n) => n.endsWith('.part')).length, {
            timeout: 10_000,
          })
          .toBe(1);
        await expect.poll(() => transfer.bytes, { timeout: 10_000 }).toBeGreaterThan(MiB);
        receiver.child.kill(signal);
        const result = await receiver.exited;
        expect(result.code).toBe(130);
        expect(result.stderr).toMatch(
          /interrupted: big\.bin from alice stopped at .* of 300\.0 MiB; cancelled, and its partial file deleted/,
        );
        expect(readdirSync(inbox)).toEqual([]);
        // Told, one way or the other: by the receiver's REJECT_FILE, or by the server when the
        // receiver's departure overtook it. Never 'completed'.
        expect(['REJECTED', 'ABORTED']).toContain(await outcome);
      } finally {
        await alice.close();
      }
    },
    30_000,
  );

  it('removes partial files of receivers that died, and keeps those of live ones', async () => {
    const dead = '.relaykit-999999999-4-0a1b2c3d4e5f.part'; // no such pid
    const live = `.relaykit-${process.pid}-4-0a1b2c3d4e5f.part`; // this test runner
    const other = 'notes.part';
    for (const name of [dead, live, other]) writeFileSync(join(dir, name), 'partial');
    const receiver = startCli(['receive', '--dir', dir, '--as', 'bob', '--server', srv.arg]);
    await receiver.waitFor(/receiving files as bob/);
    expect(readdirSync(dir).sort()).toEqual([live, other].sort());
    receiver.child.kill('SIGINT');
    const result = await receiver.exited;
    expect(result.code).toBe(0); // nothing was arriving: a clean stop
    expect(result.stderr).toContain(
      `removed 1 partial file(s) left in ${dir} by a receiver that died: ${dead}`,
    );
  }, 30_000);
});
