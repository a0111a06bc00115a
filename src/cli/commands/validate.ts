import { loadRecipeFile } from '../../recipes/index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { hideDialOptions, jsonOption, whenMissing } from '../options.js';

interface ValidateArgs extends GlobalOptions {
  recipes: string[];
  json: boolean;
}

/**
 * `relaykit validate <recipe.yaml...>`: checks recipes (YAML, schema, templates, regexes),
 * loading their plugins, without connecting. Each problem is one line on stderr, `file:line:col: key: message`;
 * exit code 0 when every file is valid, 1 otherwise.
 */
export const validateCommand: CliCommand<ValidateArgs> = {
  command: 'validate <recipes..>',
  describe: 'Check recipe files against the recipe schema (exit 0 valid, 1 invalid)',
  builder: (y0) => {
    const y = whenMissing(
      hideDialOptions(y0, { tls: true }),
      'Name a recipe file to check: relaykit validate <recipe.yaml> [more files]',
    );
    return jsonOption(
      y.positional('recipes', {
        type: 'string',
        array: true,
        demandOption: true,
        default: undefined,
        describe: 'Recipe files (YAML)',
      }),
    )
      .example('$0 validate recipes/*.yaml', 'check the shipped recipes')
      .example('$0 validate bots.yaml --json', 'one JSON object per problem on stdout');
  },
  run: async (argv, ctx) => {
    const { output } = ctx;
    let failed = false;
    for (const file of argv.recipes) {
      // The same checks as `run` (and `run --dry-run`): an unset {env.X} is a problem here too.
      const result = await loadRecipeFile(String(file), { env: process.env });
      if (result.ok) {
        const bots = result.plan.bots.length;
        const plugins = result.plugins.length;
        if (argv.json) output.line(JSON.stringify({ file, ok: true, bots, plugins }));
        else {
          const loaded = plugins === 0 ? '' : `, ${plugins} plugin${plugins === 1 ? '' : 's'}`;
          output.line(`${file}: valid (${bots} bot${bots === 1 ? '' : 's'}${loaded})`);
        }
        continue;
      }
      failed = true;
      for (const err of result.errors) {
        if (argv.json) {
          const { code, line, column, key, detail, suggestion } = err;
          output.line(
            JSON.stringify({
              file,
              ok: false,
              code,
              line,
              column,
              key,
              message: detail,
              suggestion,
            }),
          );
        } else {
          output.stderr.write(`${err.message}\n`);
        }
      }
    }
    return failed ? ExitCode.USAGE : ExitCode.OK;
  },
};
