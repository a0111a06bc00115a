import type { MemorySample } from './server-process.js';

/** How memory is judged flat: see `judgeFlat`. */
export interface FlatCriterion {
  /** Fraction of the run that is warm-up and not judged. */
  warmupFraction: number;
  /** Growth allowed, as a fraction of the baseline, plus `slackBytes`. */
  growth: number;
  slackBytes: number;
}

/** The soak's criterion: after a warm-up fifth, the last third may not exceed the first third by more than 20 % + 8 MiB (heap after GC) */
export const HEAP_FLAT: FlatCriterion = { warmupFraction: 0.2, growth: 0.2, slackBytes: 8 << 20 };
/** RSS is noisier (allocator, socket buffers): 30 % + 32 MiB. */
export const RSS_FLAT: FlatCriterion = { warmupFraction: 0.2, growth: 0.3, slackBytes: 32 << 20 };

/** What `judgeFlat` found. */
export interface FlatVerdict {
  flat: boolean;
  /** Median of the first third after warm-up. */
  baseline: number;
  /** Largest value of the last third. */
  peak: number;
  limit: number;
}

/**
 * Memory is flat when, after the warm-up, the largest sample of the last third stays within
 * `growth` × baseline + `slackBytes` of the baseline (the median of the first third after
 * warm-up). A leak grows steadily and fails it; a working set that settles passes.
 */
export function judgeFlat(values: readonly number[], c: FlatCriterion): FlatVerdict {
  const judged = values.slice(Math.floor(values.length * c.warmupFraction));
  if (judged.length < 3) return { flat: true, baseline: NaN, peak: NaN, limit: NaN };
  const third = Math.max(1, Math.floor(judged.length / 3));
  const first = [...judged.slice(0, third)].sort((a, b) => a - b);
  const baseline = first[first.length >> 1]!;
  const peak = Math.max(...judged.slice(judged.length - third));
  const limit = baseline * (1 + c.growth) + c.slackBytes;
  return { flat: peak <= limit, baseline, peak, limit };
}

/** Megabytes with one decimal, for reports. */
export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** The local process's sample, after a full GC when `--expose-gc` is on. */
export function sampleSelf(started: number): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { at: performance.now() - started, heapUsed, rss };
}
