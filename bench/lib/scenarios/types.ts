import type { Baseline, Usage } from '../ipc.js';
import type { Row } from '../report.js';

/** CPU spent in the measured window by the server and by the load generator. */
export interface Cpu {
  wallSeconds: number;
  serverCpuSeconds: number | null;
  serverCpuPercent: number | null;
  /** The kernel's part of the server's CPU time (system time), in percent of it. */
  serverSystemPercent: number | null;
  loadCpuSeconds: number;
  loadCpuPercent: number;
}

/** One run of the load generator against one server. */
export interface Run {
  result: Record<string, unknown>;
  cpu: Cpu;
  marks: Record<string, { atMs: number; server: Usage | null; load: Usage }>;
  /** Redis's commands and CPU over the whole run (the cluster scenarios). */
  redis?: { commands: number; cpuSeconds: number };
}

/** A target from the issue and whether this run met it. */
export interface Target {
  what: string;
  target: string;
  value: string;
  met: boolean;
}

/** What a scenario reports once its runs are in. */
export interface Evaluation {
  summary: Record<string, unknown>;
  ratios: Record<string, number>;
  targets: Target[];
  rows: Row[];
}

/** How to run and judge one scenario. */
export interface Scenario {
  name: string;
  /** The baseline server run in the same process layout, if the scenario has one. */
  baseline?: Baseline;
  /** False when no server is involved (the codec). */
  server: boolean;
  /**
   * `tls`: the relaykit server listens with TLS and the baseline is the same server in
   * plaintext, in alternating rounds of the same run.
   */
  transport?: 'tls';
  /**
   * `metrics`: the relaykit server serves Prometheus metrics (scraped every second) and the
   * baseline is the same server without them, in alternating rounds of the same run.
   */
  variant?: 'metrics' | 'cluster';
  /** The load the generator runs, when it is another scenario's (default: `name`). */
  load?: string;
  params(quick: boolean): Record<string, number>;
  evaluate(run: Run, base: Run | null): Evaluation;
}
