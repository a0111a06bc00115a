import { createServer, connect as netConnect, type Socket } from 'node:net';

/** A TCP proxy whose connections can all be cut at once: a network that drops now and then. */
export interface FlakyProxy {
  port: number;
  /** Destroys every connection through the proxy; returns how many were cut. */
  cut(): number;
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 that forwards to `targetPort`. */
export async function startFlakyProxy(targetPort: number): Promise<FlakyProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((inbound) => {
    const outbound = netConnect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const proxy: FlakyProxy = {
    port: address.port,
    cut() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
    close() {
      proxy.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
