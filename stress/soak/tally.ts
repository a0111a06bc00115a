/** Counters of what a stress run did, and the violations it found (each one fails the run). */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly violations: string[] = [];
  readonly #onViolation: (what: string) => void;

  /** `onViolation` hears each violation as it happens (the report lists them at the end). */
  constructor(onViolation: (what: string) => void = () => {}) {
    this.#onViolation = onViolation;
  }

  count(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  violation(what: string): void {
    // A stuck component can repeat one failure thousands of times: keep the report readable.
    if (this.violations.length < 200) this.violations.push(what);
    this.#onViolation(what);
    this.count('violations');
  }

  /** One line per counter, sorted by name. */
  summary(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n');
  }
}
