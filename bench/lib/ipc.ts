/** Messages between the bench orchestrator, the server process and the load generator. */

/** CPU and memory of one process at one moment. */
export interface Usage {
  /** `process.cpuUsage()` user + system, in microseconds. */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** The relaykit server's `stats`, when the process runs relaykit. */
  stats?: Record<string, number>;
}

/** Orchestrator → server process. */
export type ServerRequest = { type: 'usage'; gc?: boolean };
/** Server process → orchestrator. */
export type ServerReply = { type: 'ready'; port: number } | ({ type: 'usage' } & Usage);

/** Orchestrator → load generator. */
export type LoadRequest =
  | { type: 'task'; task: LoadTask }
  | { type: 'marked'; name: string; server: Usage | null };
/** Load generator → orchestrator. */
export type LoadReply =
  | { type: 'mark'; name: string; gc?: boolean }
  | { type: 'result'; result: Record<string, unknown> }
  | { type: 'failed'; message: string };

/** What the load generator is asked to run. */
export interface LoadTask {
  scenario: string;
  host: string;
  port: number;
  /** 'relaykit' speaks the protocol; 'raw-fanout' and 'pipe' drive the baselines. */
  target: 'protocol' | 'raw-fanout' | 'pipe';
  params: Record<string, number>;
}

/** Reads the current usage of this process. */
export function ownUsage(): Usage {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external,
  };
}
