import { ArchiveWriter } from '../archive/index.js';
import type { Client, OfferContext } from '../index.js';
import { runAction } from './actions/index.js';
import type { ActionHost, RecipeEvent } from './host.js';
import type { BotPlan, RulePlan } from './plan.js';
import type { ServerRef } from './server-ref.js';
import { type EventSink, subscribeEvents } from './triggers/events.js';
import { fireStart, fireStdin, startTimers } from './triggers/timers.js';

/** A bot's connections: its own, and one per other server it relays to (by `ServerRef.text`). */
export interface BotConnections {
  primary: { client: Client; address: string };
  others: ReadonlyMap<string, { client: Client; address: string }>;
}

/** How a running bot talks to the outside. */
export interface BotOutputs {
  log(line: string): void;
  report(message: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/** Bounded waits on stop, so a stuck send or transfer cannot hold Ctrl-C hostage. */
const DRAIN_MS = 3000;
const TRANSFERS_MS = 10_000;

const within = (ms: number, work: Promise<unknown>) =>
  Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * One bot of a recipe at run time: subscribes its triggers, runs each matching rule's
 * condition and actions one event at a time (so replies keep the order of what they answer),
 * and owns the archive writers and background transfers its actions start.
 */
export class BotRunner implements ActionHost, EventSink {
  readonly #plan: BotPlan;
  readonly #conn: BotConnections;
  readonly #out: BotOutputs;
  readonly #writers = new Map<string, ArchiveWriter>();
  readonly #tracked = new Set<Promise<unknown>>();
  #queue: Promise<void> = Promise.resolve();
  #stops: (() => void)[] = [];
  #stopped = false;

  constructor(plan: BotPlan, connections: BotConnections, outputs: BotOutputs) {
    this.#plan = plan;
    this.#conn = connections;
    this.#out = outputs;
  }

  get name(): string {
    return this.#plan.name;
  }

  get botName(): string {
    return this.#plan.name;
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.#out.env;
  }

  /** Subscribes every trigger and fires `start` rules; the bot's rooms are already joined. */
  start(): void {
    const client = this.#conn.primary.client;
    this.#stops.push(
      subscribeEvents(client, this.#plan.rules, this),
      startTimers(client, this.#plan.rules, this),
    );
    fireStart(client, this.#plan.rules, this);
  }

  /**
   * One line of standard input, for `stdin` rules. Resolves once the actions it fired have
   * run, so the reader can hold back input the bot cannot keep up with.
   */
  line(text: string): Promise<void> {
    if (!this.#stopped) fireStdin(this.#conn.primary.client, this.#plan.rules, this, text);
    return this.#queue;
  }

  fire(rule: RulePlan, event: RecipeEvent): void {
    if (this.#stopped) return;
    if (rule.condition && !rule.condition(event.vars, this.#out.env)) return;
    this.#enqueue(async () => {
      // An offer goes to the rules in order until one accepts or rejects it.
      if (event.offerState?.answered) return;
      for (const action of rule.actions) {
        try {
          await runAction(action, rule.trigger.kind, event, this);
        } catch (err) {
          this.report(`${this.name}: ${action.kind} failed: ${(err as Error).message}`);
        }
      }
    });
  }

  afterOffer(offer: OfferContext, handled: () => boolean): void {
    // Runs after the rules the offer fired: an offer no rule answered is declined, not left hanging.
    this.#enqueue(async () => {
      if (!handled()) await offer.reject();
    });
  }

  clientFor(server: ServerRef | undefined): Client {
    return this.#connection(server).client;
  }

  addressOf(server: ServerRef | undefined): string {
    return this.#connection(server).address;
  }

  archiveWriter(dir: string): ArchiveWriter {
    let writer = this.#writers.get(dir);
    if (!writer) {
      writer = new ArchiveWriter({ dir, server: this.#conn.primary.address });
      this.#writers.set(dir, writer);
    }
    return writer;
  }

  log(line: string): void {
    this.#out.log(line);
  }

  report(message: string): void {
    this.#out.report(message);
  }

  track(work: Promise<unknown>): void {
    const settled = work.catch(() => {});
    this.#tracked.add(settled);
    void settled.finally(() => this.#tracked.delete(settled));
  }

  /** SIGHUP: reopen archive files (after logrotate moved them). */
  reopen(): void {
    for (const writer of this.#writers.values()) writer.reopen();
  }

  /**
   * Stops triggers, lets queued actions and accepted transfers finish (bounded), and closes
   * the archive files. Closing the connections is the runtime's job (they may be shared).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const stop of this.#stops.splice(0)) stop();
    await within(DRAIN_MS, this.#queue);
    await within(TRANSFERS_MS, Promise.allSettled([...this.#tracked]));
    for (const writer of this.#writers.values()) writer.close();
    this.#writers.clear();
  }

  #connection(server: ServerRef | undefined) {
    if (server === undefined) return this.#conn.primary;
    const other = this.#conn.others.get(server.text);
    if (!other) throw new Error(`no connection to ${server.text}`);
    return other;
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((err: unknown) => {
      this.report(`${this.name}: ${(err as Error).message}`);
    });
  }
}
