import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectErrors, expectValid } from './helpers.js';

// A bot's `file_server` key: the bundled file server bot, checked like every other key.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-unit-file-server-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bot = (body: string) => `bots:\n  - name: files\n${body}`;

describe('file_server', () => {
  it('compiles to the bot options: sizes in bytes, rooms without #, dir from the working directory', () => {
    const plan = expectValid(
      bot(
        '    file_server:\n      dir: ./shared\n      upload: true\n      max_upload: 10M\n      quota: 1GB\n      from: [ann, bob]\n      announce: "#lobby"\n',
      ),
    );
    expect(plan.bots[0]!.fileServer).toEqual({
      dir: resolve('shared'),
      upload: true,
      maxUploadSize: 10 * 1024 * 1024,
      quotaPerUser: 1e9,
      from: ['ann', 'bob'],
      announce: 'lobby',
    });
    expect(plan.bots[0]!.rules).toEqual([]);
    expect(
      expectValid(bot('    file_server: { dir: s, from: ann }\n')).bots[0]!.fileServer,
    ).toEqual({ dir: resolve('s'), upload: false, from: ['ann'] });
  });

  it('a bot needs on or file_server; rules beside it may not answer direct messages or offers', () => {
    expect(expectErrors(bot('    rooms: [a]\n'))).toEqual([
      'test.yaml:2:5: bots[0]: a bot needs `on` (its rules) or `file_server` (the bundled file server)',
    ]);
    expect(
      expectErrors(
        bot(
          '    rooms: [lobby]\n    file_server: { dir: s }\n    on:\n      - post: { room: lobby }\n        do: [{ reply: "DM files help" }]\n      - offer:\n        do: [{ reject: }]\n',
        ),
      ),
    ).toEqual([
      'test.yaml:8:9: bots[0].on[1].offer: an `offer` rule cannot share a bot with `file_server`, which answers every offer; give the rule a bot of its own',
    ]);
  });

  it('limits without uploads, a dir that is a file, bad names and a missing dir are reported at line:col', () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    expect(
      expectErrors(
        bot(
          `    file_server:\n      dir: ${JSON.stringify(file)}\n      max_upload: 1M\n      from: [ann, "b c"]\n`,
        ),
      ),
    ).toEqual([
      `test.yaml:4:12: bots[0].file_server.dir: \`${file}\` is a file, not a folder (${file}); name a folder to serve`,
      'test.yaml:5:19: bots[0].file_server.max_upload: `max_upload` and `quota` limit uploads, which are off: add `upload: true`, or remove them',
      'test.yaml:6:19: bots[0].file_server.from[1]: `b c` is not a valid user name: 1 to 32 characters, no spaces or control characters',
    ]);
    expect(expectErrors(bot('    file_server: { upload: yes }\n'))).toEqual([
      'test.yaml:3:18: bots[0].file_server.dir: missing required key `dir`',
      'test.yaml:3:28: bots[0].file_server.upload: expected true or false',
    ]);
  });
});
