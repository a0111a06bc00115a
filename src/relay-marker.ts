// "[tag] name: …": the mark of text some relay has already carried. Names have no spaces.
const RELAY_MARK = /^\[[^\]\s]+\] \S+: /;

/**
 * True when `text` already carries a relay marker such as `[ops@a] alice: `. Relays (the bot
 * and the recipe action) never forward such text, so two relays facing each other cannot
 * ping-pong.
 *
 * @example
 * isRelayed('[ops@a] alice: deploy done') // true
 */
export function isRelayed(text: string): boolean {
  return RELAY_MARK.test(text);
}

/**
 * Why `tag` cannot be a relay tag (empty, or with a space or `]`), or undefined when it can.
 *
 * @example
 * relayTagProblem('ops@a') // undefined
 */
export function relayTagProblem(tag: string): string | undefined {
  if (tag === '' || /[\]\s]/.test(tag)) {
    return `relay tag ${JSON.stringify(tag)} must be non-empty, without spaces or ']'`;
  }
  return undefined;
}

/**
 * The text a relay posts: `[tag] sender: text`.
 *
 * @example
 * relayText('ops@a', 'alice', 'hi') // '[ops@a] alice: hi'
 */
export function relayText(tag: string, from: string, text: string): string {
  return `[${tag}] ${from}: ${text}`;
}
