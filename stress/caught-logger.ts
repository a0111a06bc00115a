import type { Logger } from '../src/server/index.js';

/**
 * A logger that hears only the server's `handler failed`: an exception thrown by a handler,
 * which the server catches so that it costs one connection (ERR UNKNOWN) and never the
 * process. Nothing escapes, but it is a bug all the same, and the stress runs count it as a
 * crash: `onCaught` gets its stack.
 */
export function caughtLogger(onCaught: (reason: string) => void): Logger {
  const ignore = (): void => {};
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message, fields) => {
      if (message === 'handler failed') onCaught(String(fields?.reason ?? message));
    },
    enabled: (level) => level === 'error',
  };
}
