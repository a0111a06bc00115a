/** Messages between the bench orchestrator, the server process and the load generator. */

/** CPU and memory of one process at one moment. */
export interface Usage {
  /** `process.cpuUsage()` user + system, in microseconds. */
  cpuMicros: number;
  /** The kernel's share of `cpuMicros` (socket writes and reads, TCP loopback). */
  systemMicros: number;
  /** The monotonic clock in microseconds, the clock of V8's CPU profiles. */
  atMicros: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** Peak RSS of the process so far (`process.resourceUsage().maxRSS`), in bytes. */
  maxRss: number;
  /** The relaykit server's `stats`, when the process runs relaykit. */
  stats?: Record<string, number>;
  /** Server processes only: event-loop delay and GC pauses since the previous sample. */
  loop?: LoopFigures;
}

/** Event-loop delay percentiles and GC pauses over one window, in milliseconds. */
export interface LoopFigures {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
}

/** Orchestrator → server process. */
export type ServerRequest = { type: 'usage'; gc?: boolean };
/** Server process → orchestrator. */
export type ServerReply =
  | { type: 'ready'; port: number; plainPort?: number; ca?: string; metricsPort?: number }
  | ({ type: 'usage' } & Usage);

/** Orchestrator → load generator. */
export type LoadRequest =
  | { type: 'task'; task: LoadTask }
  | { type: 'marked'; target: string; name: string; server: Usage | null };
/** Load generator → orchestrator. */
export type LoadReply =
  | { type: 'mark'; target: string; name: string; gc?: boolean }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; message: string };

/** The baseline servers (bench/baseline-process.ts). */
export type Baseline = 'raw-fanout' | 'pipe' | 'raw-rooms';

/** One server the load is pointed at. */
export interface Target {
  /** `relaykit` (or the server at --host/--port) or `baseline`. */
  name: string;
  /** `protocol` speaks the protocol; the others drive the baselines of the same names. */
  kind: 'protocol' | Baseline;
  host: string;
  port: number;
  /** Dial with TLS, trusting this CA (PEM). */
  tls?: { ca: string };
  /**
   * Nodes of one cluster: client i connects to `ports[i % ports.length]` instead of `port`
   * (the cluster scenarios spread the members over the nodes this way).
   */
  ports?: number[];
}

/** The port client `i` of a load dials on `target`. */
export function portFor(target: Target, i: number): number {
  return target.ports === undefined ? target.port : target.ports[i % target.ports.length]!;
}

/**
 * What the load generator is asked to run. With two targets it alternates their rounds, so
 * that both meet the same noise from whatever else runs on the machine.
 */
export interface LoadTask {
  scenario: string;
  targets: Target[];
  params: Record<string, number>;
}

/** What each mark recorded: when, the server's usage and the load generator's. */
export interface MarkRecord {
  atMs: number;
  server: Usage | null;
  load: Usage;
}

/** The figures per target, and the marks per target. */
export interface LoadResult {
  runs: Record<string, Record<string, unknown>>;
  marks: Record<string, Record<string, MarkRecord>>;
}

/** Reads the current usage of this process. */
export function ownUsage(): Usage {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    systemMicros: cpu.system,
    atMicros: Number(process.hrtime.bigint() / 1000n),
    rss: mem.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: mem.heapUsed,
    external: mem.external,
  };
}
