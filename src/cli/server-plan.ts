import type { ResolvedServer, ServerRef } from '../recipes/index.js';
import { createServer, type RelayServer } from '../server/index.js';
import type { CommandContext } from './command.js';
import {
  formatAddress,
  formatServerList,
  resolveServer,
  type ServerTarget,
} from './server-target.js';
import { clientTlsOptions, INSECURE_WARNING } from './tls/client-files.js';

/**
 * Decides where each server reference goes: `--server` (or `--map bundled=…`) for bots that
 * name no server and for `bundled`; `--map bundled:N=…` for the others; otherwise the
 * in-process servers this command starts (the first on 17734 when free).
 */
export class ServerPlan {
  readonly #server: string | undefined;
  readonly #maps: Map<string, ResolvedServer>;
  readonly #ctx: Pick<CommandContext, 'output' | 'tls'>;
  // The promise, not the target: bots resolve their servers at once, and a second call made
  // before the first finished would start (or find) the bundled server a second time.
  #first: Promise<ServerTarget> | undefined;
  readonly #extra: RelayServer[] = [];

  readonly #preferredPort: number | undefined;

  /** `preferredPort`: where the bundled server tries first (17734); tests pass 0. */
  constructor(
    server: string | undefined,
    maps: Map<string, ResolvedServer>,
    ctx: Pick<CommandContext, 'output' | 'tls'>,
    preferredPort?: number,
  ) {
    this.#preferredPort = preferredPort;
    this.#server = server;
    this.#maps = maps;
    this.#ctx = ctx;
  }

  /** Where a reference goes, for `--dry-run`. */
  describe(ref: ServerRef | undefined): string {
    if (ref?.kind === 'remote') return ref.text;
    const key = ref?.text ?? 'bundled';
    const mapped = this.#maps.get(key);
    if (mapped) return `${formatServerList(mapped.servers ?? [mapped])} (--map ${key})`;
    if (key === 'bundled' && this.#server !== undefined) return `${this.#server} (--server)`;
    return `${key} (in-process server)`;
  }

  /** The address a bot with this reference dials, starting an in-process server if needed. */
  async resolve(ref: ServerRef | undefined): Promise<ResolvedServer> {
    if (ref?.kind === 'remote') {
      const at = { host: ref.host, port: ref.port, servers: ref.servers };
      if (!ref.tls) return at;
      if (this.#ctx.tls.insecure) this.#ctx.output.notice(INSECURE_WARNING);
      return { ...at, tls: true, tlsOptions: clientTlsOptions(this.#ctx.tls) };
    }
    const key = ref?.text ?? 'bundled';
    const mapped = this.#maps.get(key);
    if (mapped) return mapped;
    if (key === 'bundled') {
      this.#first ??= resolveServer({
        server: this.#server,
        notice: (t) => this.#ctx.output.notice(t),
        tls: this.#ctx.tls,
        ...(this.#preferredPort === undefined ? {} : { preferredPort: this.#preferredPort }),
      });
      const first = await this.#first;
      const at = { host: first.host, port: first.port, servers: first.servers };
      return first.tlsOptions === undefined
        ? at
        : { ...at, tls: true, tlsOptions: first.tlsOptions };
    }
    const server = createServer({ port: 0 });
    this.#extra.push(server);
    const address = await server.listen(0, '127.0.0.1');
    this.#ctx.output.notice(`started the in-process server ${key} on ${formatAddress(address)}`);
    return address;
  }

  /** Stops the in-process servers this plan started. */
  async close(): Promise<void> {
    await Promise.allSettled([
      this.#first?.then((first) => first.close()),
      ...this.#extra.map((s) => s.close('relaykit run finished')),
    ]);
  }
}
