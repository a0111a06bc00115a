import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDevCertificateSet, writeDevCertificateSet } from '../../certs/dev-set.js';
import { validateName } from '../../protocol/index.js';
import type { CliCommand, GlobalOptions } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { jsonOption, hideDialOptions } from '../options.js';

interface CertArgs extends GlobalOptions {
  out: string;
  name: string[];
  client: string[];
  days: number;
  force: boolean;
  json: boolean;
}

/**
 * `relaykit cert --out DIR [--name localhost] [--client NAME…]`: a private CA, a server
 * certificate and client certificates for development, with their fingerprints. Made in
 * process (node-forge), so no `openssl` binary is needed.
 */
export const certCommand: CliCommand<CertArgs> = {
  command: 'cert',
  describe: 'Make a development CA, server certificate and client certificates (PEM)',
  builder: (y0) => {
    const y = hideDialOptions(y0, { tls: true });
    return jsonOption(
      y
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'Folder to write the .pem files to (made if missing)',
          requiresArg: true,
        })
        .option('name', {
          type: 'string',
          array: true,
          default: ['localhost'],
          describe:
            'Host names or IPs the server certificate is for (localhost adds 127.0.0.1 and ::1)',
          requiresArg: true,
        })
        .option('client', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'User names to make client certificates for (the name goes in the CN)',
          requiresArg: true,
        })
        .option('days', {
          type: 'number',
          default: 825,
          describe: 'How long the certificates are valid',
          requiresArg: true,
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'Overwrite a CA already in --out',
        }),
    )
      .example('$0 cert --out certs', 'CA + server certificate for localhost in ./certs')
      .example(
        '$0 cert --out certs --name chat.example.org --client alice --client deploy-bot',
        'a server certificate for chat.example.org and two client certificates',
      );
  },
  run: async (argv, { output }) => {
    if (!(Number.isInteger(argv.days) && argv.days >= 1)) {
      output.error(`--days must be a whole number of at least 1, got ${argv.days}`);
      return ExitCode.USAGE;
    }
    for (const name of argv.client) {
      try {
        validateName(String(name));
      } catch (err) {
        output.error(
          `--client ${JSON.stringify(name)} is not a user name the server accepts: ${(err as Error).message}`,
        );
        return ExitCode.USAGE;
      }
    }
    const names = argv.name.map(String).filter((n) => n.trim() !== '');
    if (names.length === 0) {
      output.error('--name needs at least one host name or IP address');
      return ExitCode.USAGE;
    }
    if (!argv.force && existsSync(join(argv.out, 'ca-key.pem'))) {
      output.error(
        `${argv.out} already holds a CA (ca-key.pem); certificates it signed would stop being trusted. Pass --force to replace it, or pick another --out`,
      );
      return ExitCode.USAGE;
    }
    const set = createDevCertificateSet({
      serverNames: names,
      clients: argv.client.map(String),
      days: argv.days,
    });
    const files = await writeDevCertificateSet(argv.out, set);
    for (const f of files) {
      if (argv.json) output.line(JSON.stringify(f));
      else if (f.fingerprint !== undefined)
        output.line(`${f.what}: ${f.path}\n  SHA-256 ${f.fingerprint}`);
      else output.line(`${f.what}: ${f.path}`);
    }
    if (!argv.json) {
      output.notice(
        `serve with: relaykit serve --tls-cert ${join(argv.out, 'server.pem')} --tls-key ${join(argv.out, 'server-key.pem')}` +
          (set.clients.size > 0 ? ` --tls-ca ${join(argv.out, 'ca.pem')}` : ''),
      );
    }
    return ExitCode.OK;
  },
};
