import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

// Entry point of the relaykit CLI; the only module that calls process.exit.
const cli = yargs(hideBin(process.argv))
  .scriptName('relaykit')
  .usage('$0 <command> [options]')
  .command('demo', 'Run the demo (arrives with the CLI issue)', {}, () => {
    cli.showHelp();
  })
  .demandCommand(1, 'Name a command; see the list above.')
  .strict()
  .help();

await cli.parseAsync();
