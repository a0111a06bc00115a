import { afterEach } from 'vitest';
import { type Client, type ConnectOptions, connect } from '../../../src/client/index.js';
import { createServer, type RelayServer, type ServerOptions } from '../../../src/server/index.js';
import { clientTransport, serverTransport } from '../../support/transport.js';

/**
 * Servers and clients started by a test, torn down after it. Both speak the suite's
 * transport (plain, or TLS in the `tls` vitest project; see support/transport.ts).
 */
export function harness() {
  const servers: RelayServer[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
  });
  return {
    async server(
      opts: ServerOptions = {},
      port = 0,
    ): Promise<{ server: RelayServer; port: number }> {
      const server = createServer({ ...serverTransport(), ...opts });
      servers.push(server);
      const address = await server.listen(port, '127.0.0.1');
      return { server, port: address.port };
    },
    async client(port: number, name: string, opts: Partial<ConnectOptions> = {}): Promise<Client> {
      const client = await connect({
        host: '127.0.0.1',
        port,
        name,
        ...clientTransport(),
        ...opts,
      });
      clients.push(client);
      return client;
    },
    track(client: Client): Client {
      clients.push(client);
      return client;
    },
  };
}
