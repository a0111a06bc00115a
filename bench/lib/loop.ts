import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import type { LoopFigures } from './ipc.js';

/** Event-loop delay and GC pauses of this process, taken (and reset) at each usage sample. */
export interface LoopWatch {
  /** Runs a full GC for the bench; it is not counted as one of the process's pauses. */
  forcedGc(): void;
  /** The figures since the last `take`, and a fresh start. */
  take(): LoopFigures;
}

/**
 * Starts watching this process's event loop: `monitorEventLoopDelay` at 1 ms sampling (its
 * percentiles are of the delays of its timer, so a 0.1 ms stall shows), and every GC pause
 * that `PerformanceObserver` reports. A `start…` mark takes and resets them, so the matching
 * `end…` mark reports its window alone.
 */
export function watchLoop(): LoopWatch {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcCount = 0;
  let gcMs = 0;
  let gcMaxMs = 0;
  let ignoreBefore = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.startTime < ignoreBefore) continue;
      gcCount++;
      gcMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  return {
    forcedGc() {
      globalThis.gc?.();
      ignoreBefore = performance.now();
    },
    take() {
      const out: LoopFigures = {
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        p999: ms(delay.percentile(99.9)),
        max: ms(delay.max),
        gcCount,
        gcMs: Math.round(gcMs * 1e3) / 1e3,
        gcMaxMs: Math.round(gcMaxMs * 1e3) / 1e3,
      };
      delay.reset();
      gcCount = 0;
      gcMs = 0;
      gcMaxMs = 0;
      return out;
    },
  };
}
