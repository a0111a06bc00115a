import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../../src/cli/commands/listen.js';
import { colorAllowed, createOutput } from '../../../src/cli/output.js';

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  s.isTTY = isTTY;
  let text = '';
  s.on('data', (b: Buffer) => {
    text += b.toString();
  });
  s.text = () => text;
  return s;
}

describe('colour and spinners', () => {
  it('honours --no-color and a non-empty NO_COLOR', () => {
    expect(colorAllowed(true, {})).toBe(true);
    expect(colorAllowed(false, {})).toBe(false);
    expect(colorAllowed(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorAllowed(true, { NO_COLOR: '' })).toBe(true);
  });

  it('colours a TTY only, each stream judged on its own', () => {
    const stdout = stream(false);
    const stderr = stream(true);
    const out = createOutput({ env: {}, stdout, stderr });
    expect(out.out.red('x')).toBe('x');
    expect(out.err.red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(out.interactive).toBe(true);
  });

  it('writes no escape codes when colour is off, even on a TTY', () => {
    const stdout = stream(true);
    const stderr = stream(true);
    const out = createOutput({ env: { NO_COLOR: '1' }, stdout, stderr });
    out.error('broken');
    out.line('data');
    const spinner = out.spinner('connecting').start();
    spinner.stop();
    expect(out.interactive).toBe(false);
    expect(stderr.text()).toBe('relaykit: broken\n');
    expect(stdout.text()).toBe('data\n');
  });

  it('draws no spinner on a pipe', () => {
    const stderr = stream(false);
    const out = createOutput({ env: {}, stdout: stream(false), stderr });
    out.spinner('waiting').start().succeed('done');
    expect(stderr.text()).toBe('');
  });
});

describe('listen text form', () => {
  it('shows C1 controls as U+FFFD so a terminal never acts on them', () => {
    const plain = createOutput({ env: {}, stdout: stream(false), stderr: stream(false) }).out;
    expect(
      formatRecord(
        {
          ts: '2026-11-26T13:05:09.000Z',
          type: 'post',
          room: 'ops',
          from: 'eve\u009b',
          text: 'a\u009b2Jb',
        },
        plain,
      ),
    ).toBe('[13:05:09] #ops <eve\uFFFD> a\uFFFD2Jb');
    expect(
      formatRecord(
        { ts: '2026-11-26T13:05:09.000Z', type: 'join', room: 'ops', from: 'bob' },
        plain,
      ),
    ).toBe('[13:05:09] #ops *** bob joined');
  });
});
