// The files of `relaykit new bot <name>`: a project whose `npm install && npm test` passes at
// once. The test uses node:test, so the project needs no test framework besides Node; tsx
// (which relaykit itself uses to run `.ts` bots) runs TypeScript for it. The dev dependency
// ranges are the ones relaykit is built and tested with.

/** What a scaffold is made from. */
export interface BotProjectOptions {
  /** The project's and the bot's name. */
  name: string;
  /** The relaykit version range the project depends on, e.g. `^0.1.0`. */
  relaykit: string;
}

const TSX = '^4.23.15';
const TYPESCRIPT = '~5.9.3';
const TYPES_NODE = '^20.19.43';

/** Every file of a new bot project, by path relative to the project's folder. */
export function botProjectFiles({ name, relaykit }: BotProjectOptions): Record<string, string> {
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: `${name}: a relaykit bot`,
    scripts: {
      start: 'relaykit run src/bot.ts',
      'dry-run': 'relaykit run src/bot.ts --dry-run',
      test: 'node --import tsx --test test/bot.test.ts',
      typecheck: 'tsc --noEmit',
    },
    dependencies: { relaykit },
    devDependencies: { '@types/node': TYPES_NODE, tsx: TSX, typescript: TYPESCRIPT },
    engines: { node: '>=20.19' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src', 'test'],
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'node_modules/\nrelaykit-archive/\n',
    'src/bot.ts': botSource(name),
    'test/bot.test.ts': testSource(name),
    'README.md': readme(name),
  };
}

function botSource(name: string): string {
  return `import { defineBot } from 'relaykit';

/**
 * ${name}: relaykit connects it, joins \`rooms\`, runs \`setup\`, reconnects and rejoins,
 * and on Ctrl-C runs the cleanup \`setup\` returned, then departs.
 */
export default defineBot({
  name: '${name}',
  rooms: ['lobby'],
  setup(client, { log }) {
    client.onPost({ room: 'lobby', match: /^!hi$/ }, (ctx) => ctx.reply(\`hi \${ctx.from}\`));
    log('${name} is up: say !hi in lobby');
    return () => log('${name} is stopping');
  },
});
`;
}

function testSource(name: string): string {
  return `import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { startTestKit, type TestKit } from 'relaykit/testing';
import bot from '../src/bot.js';

// A real relay server on a free port, the bot run as \`relaykit run\` runs it, and a user
// who talks to it. kit.close() leaves nothing open, so the test process ends by itself.
let kit: TestKit;
beforeEach(async () => {
  kit = await startTestKit();
});
afterEach(async () => {
  await kit.close();
});

test('answers !hi in lobby', async () => {
  await kit.run(bot);
  const ann = await kit.user('ann', { rooms: ['lobby'] });
  const reply = ann.nextPost({ from: '${name}' });
  await ann.say('lobby', '!hi');
  assert.equal((await reply).text, 'hi ann');
});

test('stays quiet for anything else', async () => {
  await kit.run(bot);
  const ann = await kit.user('ann', { rooms: ['lobby'] });
  await ann.say('lobby', 'hello');
  const reply = ann.nextPost({ from: '${name}' });
  await ann.say('lobby', '!hi');
  // The first thing the bot says is the answer to !hi, not to "hello".
  assert.equal((await reply).text, 'hi ann');
});
`;
}

function readme(name: string): string {
  return `# ${name}

A bot for a relay chat server, written with [relaykit](https://www.npmjs.com/package/relaykit).

\`\`\`sh
npm install
npm test           # the bot against a real server on a free port (node:test)
npm start          # run it: on the server at 127.0.0.1:17734, or a bundled one when none answers
npm run dry-run    # load and check it, and print what would run; connect nowhere
npx relaykit run src/bot.ts --server chat.example.com:17734
\`\`\`

- \`src/bot.ts\` is the bot: \`defineBot({ name, rooms, setup })\`. \`setup\` gets the connected
  client (\`onPost\`, \`onDirect\`, \`onOffer\`, \`say\`, \`direct\`, \`sendFile\`, …) and may return
  a cleanup that runs on Ctrl-C, before the bot departs.
- \`test/bot.test.ts\` tests it with \`relaykit/testing\`: \`startTestKit()\` starts a server on
  a free port, \`kit.run(bot)\` runs the bot, \`kit.user(name, { rooms })\` connects a user who
  can \`say\` and wait for \`nextPost\`; \`kit.close()\` stops everything.
- \`npm run typecheck\` checks the types.
`;
}
