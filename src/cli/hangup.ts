/**
 * Calls `reopen` on every SIGHUP (logrotate's `postrotate: kill -HUP`), until the returned
 * function is called. Windows has no SIGHUP; there it does nothing.
 *
 * @example
 * const off = reopenOnHangup(() => archive.reopen())
 */
export function reopenOnHangup(reopen: () => void, onError?: (err: unknown) => void): () => void {
  if (process.platform === 'win32') return () => {};
  const listener = (): void => {
    try {
      reopen();
    } catch (err) {
      onError?.(err);
    }
  };
  process.on('SIGHUP', listener);
  return () => {
    process.off('SIGHUP', listener);
  };
}
