import { ServerError } from './errors.js';

/** Severity of a log line; `silent` turns a logger off. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** What the server logs through. Pass your own to route server events elsewhere. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** True when lines of `level` are written: lets hot paths skip building fields. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** The least severe level written (default `'info'`). */
  level?: LogLevel;
  /** One JSON object per line instead of the readable format. */
  json?: boolean;
  /** Where lines go (default `process.stderr`). */
  stream?: NodeJS.WritableStream;
}

const RANK = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function formatValue(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  // Quote only when needed, so ordinary names and addresses stay easy to grep.
  return /^[^\s"=]+$/u.test(value) ? value : JSON.stringify(value);
}

/**
 * Creates a logger that writes one line per event: a readable `time level message key=value`
 * line by default, or a JSON object per line with `json: true`.
 *
 * @example
 * const server = createServer({ logger: createLogger({ level: 'debug', json: true }) })
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new ServerError(
      'INVALID_LOG_LEVEL',
      `Unknown log level '${String(level)}'; use one of ${LEVELS.join(', ')}`,
    );
  }
  const threshold = RANK[level];
  const stream = options.stream ?? process.stderr;
  const json = options.json === true;

  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[lvl] < threshold) return;
    const time = new Date().toISOString();
    let line: string;
    if (json) {
      const record: Record<string, unknown> = { time, level: lvl, msg: message };
      if (fields) {
        for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = v;
      }
      line = JSON.stringify(record);
    } else {
      line = `${time} ${lvl.toUpperCase().padEnd(5)} ${message}`;
      if (fields) {
        for (const [k, v] of Object.entries(fields)) {
          if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
        }
      }
    }
    stream.write(`${line}\n`);
  };

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    enabled: (lvl) => RANK[lvl] >= threshold,
  };
}

/** A logger that writes nothing: the server's default. */
export const SILENT_LOGGER: Logger = createLogger({ level: 'silent' });
