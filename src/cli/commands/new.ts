import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { isValidName } from '../../protocol/index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { hideDialOptions, whenMissing } from '../options.js';
import { botProjectFiles } from '../scaffold/bot-project.js';
import { relaykitDependency } from '../scaffold/relaykit-dependency.js';

interface NewArgs extends GlobalOptions {
  kind: 'bot';
  name: string;
  dir: string | undefined;
}

// The project's name is also the bot's user name and its npm package name: lower case
// letters, digits, `-`, `_` and `.` satisfy both, and 32 characters is the protocol's limit.
const PROJECT_NAME = /^[a-z0-9][a-z0-9._-]*$/;

function checkName(name: string): void {
  if (!PROJECT_NAME.test(name) || !isValidName(name)) {
    throw new CliError(
      'INVALID_NAME',
      ExitCode.USAGE,
      `${JSON.stringify(name)} cannot name a bot project: use 1 to 32 lower case letters, digits, '-', '_' or '.', starting with a letter or digit (e.g. my-bot); it is the package's name and the bot's user name`,
    );
  }
}

/** Refuses a folder that exists with anything in it: a scaffold never overwrites. */
async function checkEmpty(dir: string, shown: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') {
      throw new CliError(
        'TARGET_EXISTS',
        ExitCode.USAGE,
        `${shown} is a file; choose another --dir`,
      );
    }
    throw err;
  }
  if (entries.length > 0) {
    throw new CliError(
      'TARGET_EXISTS',
      ExitCode.USAGE,
      `${shown} already exists and is not empty; choose another name or --dir, nothing was written`,
    );
  }
}

/**
 * `relaykit new bot <name>`: writes a ready bot project (package.json depending on this
 * relaykit: its version range, or from a clone the clone itself; tsconfig, src/bot.ts, a test written with relaykit/testing, a README)
 * into `./<name>` or `--dir`, never over existing files.
 */
export const newCommand: CliCommand<NewArgs> = {
  command: 'new <kind> <name>',
  describe: 'Scaffold a bot project: relaykit new bot my-bot (then npm install && npm test)',
  builder: (y) =>
    whenMissing(
      hideDialOptions(y, { tls: true }),
      'Say what to create and its name: relaykit new bot <name>',
    )
      .positional('kind', {
        type: 'string',
        choices: ['bot'] as const,
        demandOption: true,
        describe: 'What to create (bot: a defineBot project with a test)',
      })
      .positional('name', {
        type: 'string',
        demandOption: true,
        describe: "The project's and the bot's name, e.g. my-bot",
      })
      .option('dir', {
        type: 'string',
        requiresArg: true,
        describe: 'Folder to create it in (default: ./<name>); must be empty or absent',
      })
      .example('$0 new bot my-bot', 'a bot project in ./my-bot')
      .example('$0 new bot greeter --dir bots/greeter', 'somewhere else'),
  run: async (argv, ctx) => {
    const name = String(argv.name);
    checkName(name);
    const dir = resolve(argv.dir ?? name);
    const shown = relative(process.cwd(), dir) || '.';
    await checkEmpty(dir, shown);
    const relaykit = relaykitDependency();
    const files = botProjectFiles({ name, relaykit: relaykit.spec });
    for (const [path, text] of Object.entries(files)) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      // `wx`: should anything appear meanwhile, fail rather than overwrite it.
      await writeFile(target, text, { flag: 'wx' });
    }
    const { output } = ctx;
    output.line(`created ${shown}/: ${Object.keys(files).join(', ')}`);
    if (relaykit.checkout !== undefined) {
      output.line(
        `relaykit runs from the clone ${relaykit.checkout}, so ${name} depends on it as ${relaykit.spec} (npm install links it); use a version range once you install relaykit from a registry`,
      );
    }
    output.line('next:');
    output.line(`  cd ${shown}`);
    output.line('  npm install');
    output.line('  npm test     # the bot against a real server on a free port');
    output.line('  npm start    # run it');
    return ExitCode.OK;
  },
};
