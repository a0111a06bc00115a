/** Percentiles of latency samples, in milliseconds. */
export interface Latency {
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Sorts `samples` in place and reads its percentiles (nearest rank). */
export function latency(samples: Float64Array): Latency {
  samples.sort();
  const n = samples.length;
  const at = (q: number): number => (n === 0 ? 0 : samples[Math.min(n - 1, Math.ceil(q * n) - 1)]!);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i]!;
  return {
    samples: n,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    p999: round(at(0.999)),
    max: round(n === 0 ? 0 : samples[n - 1]!),
    mean: round(n === 0 ? 0 : sum / n),
  };
}

/** Rounds to three significant decimals, enough for milliseconds and ratios. */
export function round(value: number, places = 3): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}
