/** What `stopOnSignal` hands back to the run. */
export interface Interrupt {
  /** True once SIGINT or SIGTERM came: the run must not print a verdict. */
  readonly interrupted: boolean;
  /**
   * Never resolves once interrupted (the handler exits the process): a run awaits it before
   * its verdict, so that the errors the teardown causes (servers gone mid-batch) are not
   * reported as a failure.
   */
  settle(): Promise<void>;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM during a stress run: says so, runs `abort` (stop the servers and
 * Redis, remove temporary files) and exits 130 or 143 with no verdict. The run must be gone
 * within 2 s of the signal, so a teardown that hangs is cut off after 1.5 s.
 */
export function stopOnSignal(run: string, abort: () => Promise<void>): Interrupt {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C often comes twice, from the terminal and relayed by npm or tsx: one teardown,
    // which the backstop bounds.
    if (interrupted) return;
    const code = signal === 'SIGINT' ? 130 : 143;
    interrupted = true;
    // The teardown pulls servers from under the load: what that rejects is no news.
    process.on('unhandledRejection', () => undefined);
    process.stdout.write(`\n${run} interrupted by ${signal}: stopping its servers, no verdict\n`);
    setTimeout(() => {
      process.stderr.write(`${run}: the teardown took over 1.5 s; exiting without it\n`);
      process.exit(code);
    }, 1_500);
    abort().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`${run}: teardown failed: ${String(err)}\n`);
        process.exit(code);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get interrupted() {
      return interrupted;
    },
    settle: () => (interrupted ? new Promise<void>(() => {}) : Promise.resolve()),
  };
}
