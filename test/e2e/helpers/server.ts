import { createServer, type RelayServer } from '../../../src/server/index.js';

/** A real server on 127.0.0.1, port 0, for one test. */
export interface TestServer {
  server: RelayServer;
  host: string;
  port: number;
  /** `--server` value for the CLI. */
  arg: string;
}

/** Starts the relaykit server on a free port. */
export async function startServer(): Promise<TestServer> {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  const { host, port } = await server.listen(0, '127.0.0.1');
  return { server, host, port, arg: `${host}:${port}` };
}
