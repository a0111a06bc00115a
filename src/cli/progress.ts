import type { Output } from './output.js';

/** One snapshot of a transfer, as the SDK's `transfer` events report it. */
export interface ProgressSnapshot {
  fileName: string;
  size: number;
  bytes: number;
  /** Bytes per second. */
  rate: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `'1.5 KiB'`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Seconds as `m:ss` (or `h:mm:ss`); `'--:--'` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One progress line: name, bytes of size, percentage, rate and ETA.
 *
 * @example
 * progressLine({ fileName: 'a.iso', size: 4096, bytes: 1024, rate: 512 })
 * // 'a.iso  1.0 KiB / 4.0 KiB  25%  512 B/s  ETA 0:06'
 */
export function progressLine(p: ProgressSnapshot): string {
  const percent = p.size === 0 ? 100 : Math.floor((p.bytes / p.size) * 100);
  const eta = p.rate > 0 ? (p.size - p.bytes) / p.rate : Number.NaN;
  return `${p.fileName}  ${formatBytes(p.bytes)} / ${formatBytes(p.size)}  ${percent}%  ${formatBytes(Math.round(p.rate))}/s  ETA ${formatDuration(eta)}`;
}

/** A redrawn progress line on an interactive stderr; silent elsewhere. */
export interface ProgressDisplay {
  update(p: ProgressSnapshot): void;
  /** Erases the line (call before printing anything else, and at the end). */
  clear(): void;
}

/** Redraws at most every `intervalMs` (default 100) so a fast transfer does not flood the terminal. */
export function createProgress(output: Output, intervalMs = 100): ProgressDisplay {
  if (!output.interactive) return { update() {}, clear() {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < intervalMs && p.bytes < p.size) return;
      last = now;
      shown = true;
      output.stderr.write(`\r\x1b[2K${output.err.cyan(progressLine(p))}`);
    },
    clear() {
      if (shown) output.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
