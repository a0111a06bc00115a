import type { ChalkInstance } from 'chalk';
import type { Output } from '../output.js';

/** Prints the demo's live transcript on stdout: `[+1.2s] who  what`, coloured on a TTY. */
export class Transcript {
  readonly #output: Output;
  readonly #c: ChalkInstance;
  readonly #start = Date.now();

  constructor(output: Output) {
    this.#output = output;
    this.#c = output.out;
  }

  #stamp(): string {
    return this.#c.dim(`[+${((Date.now() - this.#start) / 1000).toFixed(1)}s]`);
  }

  /** A step of the script: what the visitor is about to do. */
  step(text: string): void {
    this.#output.line(`\n${this.#stamp()} ${this.#c.bold.underline(text)}`);
  }

  /** Something a participant said or did. */
  event(who: string, text: string): void {
    this.#output.line(`${this.#stamp()} ${this.#c.cyan(who.padEnd(9))} ${text}`);
  }

  /** A check that passed or failed. */
  check(ok: boolean, text: string): void {
    const mark = ok ? this.#c.green('✔') : this.#c.red('✘');
    this.#output.line(`${this.#stamp()} ${mark} ${text}`);
  }

  /** Plain indented lines (file contents). */
  block(lines: readonly string[]): void {
    for (const line of lines) this.#output.line(`    ${this.#c.dim(line)}`);
  }
}
