// @ts-expect-error: parse-prometheus-text-format ships no types; its shape is declared below.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One metric family as parse-prometheus-text-format (prom2json's shape) returns it. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { labels?: Record<string, string>; value?: string }[];
}

/** A parsed scrape: families by name, and a sample's value by name and labels. */
export class Scrape {
  readonly families = new Map<string, MetricFamily>();

  constructor(text: string) {
    for (const f of parsePrometheusTextFormat(text) as MetricFamily[]) this.families.set(f.name, f);
  }

  /** The value of the sample of `name` whose labels are exactly `labels`; throws if absent. */
  value(name: string, labels: Record<string, string> = {}): number {
    const family = this.families.get(name);
    if (family === undefined) throw new Error(`no metric ${name} in the scrape`);
    const want = JSON.stringify(Object.entries(labels).sort());
    const sample = family.metrics.find(
      (m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()) === want,
    );
    if (sample?.value === undefined) throw new Error(`no sample ${name}${want}`);
    return Number(sample.value);
  }

  /** `{ labelValue: value }` of a family with one label. */
  byLabel(name: string, label: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.families.get(name)?.metrics ?? []) {
      out[m.labels?.[label] ?? ''] = Number(m.value);
    }
    return out;
  }
}

/** Fetches and parses `http://host:port/metrics`. */
export async function scrape(port: number, host = '127.0.0.1'): Promise<Scrape> {
  const res = await fetch(`http://${host}:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return new Scrape(await res.text());
}
