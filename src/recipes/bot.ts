import { type FileServerHandle, fileServer } from '../../bots/index.js';
import { type Clock, systemClock } from '../clock.js';
import { ArchiveWriter } from '../archive/index.js';
import { BotCounters } from '../metrics/bot-counters.js';
import type { Client, OfferContext } from '../client/index.js';
import type { TriggerEvent, TriggerHost } from './define.js';
import type { COMMON_FIELDS } from './fields.js';
import type { ActionHost, RecipeEvent } from './host.js';
import { matchVars } from './pattern.js';
import type { BotPlan, RulePlan } from './plan.js';
import type { ServerRef } from './server-ref.js';
import { parseTemplate, renderTemplate, type TemplatePart } from './template.js';

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
  /** Where its events and actions are counted (for `relaykit run --metrics`). */
  counters?: BotCounters;
  /** The triggers' timers (default: the real ones). */
  clock?: Clock;
}

/** Bounded waits on stop, so a stuck send or transfer cannot hold Ctrl-C hostage. */
const DRAIN_MS = 3000;
const TRANSFERS_MS = 10_000;

const within = (ms: number, work: Promise<unknown>) =>
  Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * One bot of a recipe at run time: subscribes its triggers (each through its definition),
 * runs each matching rule's condition and actions one event at a time (so replies keep the
 * order of what they answer), and owns the archive writers and background transfers its
 * actions start.
 */
export class BotRunner implements ActionHost {
  readonly #plan: BotPlan;
  readonly #conn: BotConnections;
  readonly #out: BotOutputs;
  readonly #writers = new Map<string, ArchiveWriter>();
  readonly #tracked = new Set<Promise<unknown>>();
  readonly #lineListeners = new Set<(line: string) => void>();
  readonly #offers = new Map<number, { answered: boolean }>();
  #queue: Promise<void> = Promise.resolve();
  #stops: (() => void)[] = [];
  #stopped = false;
  #files: FileServerHandle | undefined;

  constructor(plan: BotPlan, connections: BotConnections, outputs: BotOutputs) {
    this.#plan = plan;
    this.#conn = connections;
    this.#out = outputs;
  }

  get name(): string {
    return this.#plan.name;
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.#out.env;
  }

  /**
   * Starts the bot's file server when it has one, then subscribes every trigger (`start`
   * rules fire now); the bot's rooms are already joined.
   */
  async start(): Promise<void> {
    const files = this.#plan.fileServer;
    if (files) {
      const { dir, upload, maxUploadSize, quotaPerUser, from, announce } = files;
      this.#files = await fileServer(this.#conn.primary.client, {
        dir,
        upload,
        ...(maxUploadSize === undefined ? {} : { maxUploadSize }),
        ...(quotaPerUser === undefined ? {} : { quotaPerUser }),
        ...(from === undefined ? {} : { from }),
        ...(announce === undefined ? {} : { announce }),
        onEvent: (line) => this.report(`${this.name}: ${line}`),
        onError: (err) => this.report(`${this.name}: file server: ${(err as Error).message}`),
      });
      this.report(
        `${this.name}: serving ${this.#files.dir}${upload ? ' (uploads on)' : ''}; send it help by direct message`,
      );
    }
    const host: TriggerHost = {
      client: this.#conn.primary.client,
      name: this.name,
      clock: this.#out.clock ?? systemClock,
      lines: (fn) => {
        this.#lineListeners.add(fn);
        return () => this.#lineListeners.delete(fn);
      },
    };
    for (const rule of this.#plan.rules) {
      const { trigger, plan } = rule.trigger;
      this.#stops.push(trigger.subscribe(plan, (event) => this.#fire(rule, event), host));
    }
  }

  /**
   * One line of standard input, for `stdin` rules. Resolves once the actions it fired have
   * run, so the reader can hold back input the bot cannot keep up with.
   */
  line(text: string): Promise<void> {
    if (!this.#stopped) for (const fn of this.#lineListeners) fn(text);
    return this.#queue;
  }

  #fire(rule: RulePlan, seen: TriggerEvent): void {
    if (this.#stopped) return;
    const common: Record<(typeof COMMON_FIELDS)[number], string> = {
      bot: this.name,
      time: new Date().toISOString(),
    };
    const vars = { ...seen.fields, ...common, ...matchVars(seen.match ?? null) };
    if (rule.condition && !rule.condition(vars, this.#out.env)) return;
    const counters = this.#out.counters;
    if (counters) BotCounters.add(counters.events, rule.trigger.kind);
    const event: RecipeEvent = { client: this.#conn.primary.client, vars };
    if (seen.room !== undefined) event.room = seen.room;
    if (seen.from !== undefined) event.from = seen.from;
    if (seen.text !== undefined) event.text = seen.text;
    if (seen.offer !== undefined) {
      event.offer = seen.offer;
      event.offerState = this.#offerState(seen.offer);
    }
    const render = (template: readonly TemplatePart[] | string) =>
      renderTemplate(
        typeof template === 'string' ? parseTemplate(template).parts : template,
        vars,
        this.#out.env,
      );
    this.#enqueue(async () => {
      // An offer goes to the rules in order until one accepts or rejects it.
      if (event.offerState?.answered) return;
      for (const action of rule.actions) {
        if (counters) BotCounters.add(counters.actions, action.kind);
        try {
          await action.action.run(action.plan, {
            event,
            host: this,
            trigger: rule.trigger.kind,
            render,
          });
        } catch (err) {
          if (counters) BotCounters.add(counters.failures, action.kind);
          this.report(`${this.name}: ${action.kind} failed: ${(err as Error).message}`);
        }
      }
    });
  }

  /**
   * The state every rule an offer reaches shares. The SDK calls the rules' handlers one after
   * another for one offer; once they all ran, an offer that no action answered is declined,
   * not left hanging.
   */
  #offerState(offer: OfferContext): { answered: boolean } {
    let state = this.#offers.get(offer.id);
    if (!state) {
      const created = { answered: false };
      state = created;
      this.#offers.set(offer.id, created);
      queueMicrotask(() => {
        this.#offers.delete(offer.id);
        this.#enqueue(async () => {
          if (created.answered) return;
          created.answered = true;
          await offer.reject();
        });
      });
    }
    return state;
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
    this.#lineListeners.clear();
    // The file server cancels its transfers in flight and waits for its answers (bounded).
    if (this.#files) await within(DRAIN_MS, this.#files.stop());
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
