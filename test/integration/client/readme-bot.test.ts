import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startEchoBot } from '../../../examples/echo-bot.js';
import { harness } from './helpers.js';

const h = harness();

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`markers ${start} … ${end} not found`);
  return text.slice(from + start.length, to);
}

const code = (block: string): string[] =>
  block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//') && !l.startsWith('import'));

describe('README: Build a bot in 10 lines', () => {
  it('is the same code as examples/echo-bot.ts (bar the host and port)', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const example = await readFile(
      new URL('../../../examples/echo-bot.ts', import.meta.url),
      'utf8',
    );
    const section = readme.slice(readme.indexOf('### Build a bot in 10 lines'));
    const snippet = code(between(section, '```ts\n', '\n```'));
    const body = code(
      between(example, '// --- README snippet begins ---', '// --- README snippet ends ---'),
    );
    const normalise = (l: string): string => l.replace(/, (host, port|port: 17734)/, '');
    expect(snippet.map(normalise)).toEqual(body.map(normalise));
    expect(snippet.length + 1).toBeLessThanOrEqual(10); // + the import line
  });

  it('runs: echoes in the lobby and answers direct messages', async () => {
    const { port } = await h.server();
    const bot = h.track(await startEchoBot(port));
    const alice = await h.client(port, 'alice');
    await alice.join('lobby');
    const echoed = alice.waitFor('post', (p) => p.from === 'echo-bot');
    await alice.say('lobby', '!echo hello there');
    expect(await echoed).toMatchObject({ room: 'lobby', text: 'hello there' });
    const answer = alice.waitFor('direct');
    await alice.direct('echo-bot', 'hi');
    expect(await answer).toEqual({ from: 'echo-bot', text: 'you said: hi' });
    expect(bot.connected).toBe(true);
  });
});
