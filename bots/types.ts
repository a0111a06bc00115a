/** What every bot factory resolves with. */
export interface BotHandle {
  /** Unsubscribes the bot. It does not leave rooms or close the client (the caller owns it). */
  stop(): Promise<void>;
}

/** Turns a name-or-names option into a predicate; absent means "anyone". */
export function nameFilter(
  names: string | readonly string[] | undefined,
): (name: string) => boolean {
  if (names === undefined) return () => true;
  const set = new Set(typeof names === 'string' ? [names] : names);
  return (name) => set.has(name);
}
