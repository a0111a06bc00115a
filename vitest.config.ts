import { defineConfig } from 'vitest/config';

/**
 * Suites that run twice: over plaintext (project `plain`) and over TLS (project `tls`, where
 * test/support/transport.ts makes their servers and clients speak TLS). conformance-load is
 * left out: it exhausts transfer ids and floods sockets, which says nothing new about the
 * wire and takes too long a second time on a shared machine.
 */
const OVER_TLS = [
  'test/integration/server/conformance-{wire,lifecycle,files}.test.ts',
  'test/integration/server/files.test.ts',
  'test/integration/client/commands.test.ts',
  // Failover dials each server with the one set of TLS options: checked over TLS too.
  'test/integration/client/failover.test.ts',
];

/**
 * Suites that also run with their clients spread over two nodes of one cluster (project
 * `cluster`, with one real redis-server for the run; see startServer in
 * test/integration/server/helpers.ts).
 */
const OVER_CLUSTER = [
  'test/integration/server/{rooms,messages,registration,departures,backpressure,fuzz}.test.ts',
  'test/integration/server/conformance-{wire,lifecycle,files}.test.ts',
  'test/integration/server/files.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Certificates for TLS tests, made once per run and handed to every file.
    globalSetup: ['test/support/tls-fixtures.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'plain',
          include: ['test/**/*.test.ts'],
          typecheck: {
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'tls',
          include: OVER_TLS,
          env: { RELAYKIT_TEST_TRANSPORT: 'tls' },
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: OVER_CLUSTER,
          globalSetup: ['test/support/redis-fixture.ts'],
          env: { RELAYKIT_TEST_CLUSTER: '1' },
        },
      },
    ],
  },
});
