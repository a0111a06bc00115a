/**
 * Resolves once `signal` aborts (at once if it already has): how long-running commands wait
 * for Ctrl-C/SIGTERM.
 *
 * @example
 * await waitForAbort(ctx.signal)
 */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
