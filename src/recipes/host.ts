import type { ArchiveWriter } from '../archive/index.js';
import type { Client, OfferContext } from '../client/index.js';
import type { ServerRef } from './server-ref.js';
import type { EventVars } from './template.js';

/** One event a rule reacts to, with the fields its templates and conditions see. */
export interface RecipeEvent {
  /** The connection the event arrived on (the bot's own server). */
  client: Client;
  room?: string;
  from?: string;
  text?: string;
  /** The offer of an `offer` trigger, to accept or reject. */
  offer?: OfferContext;
  /** Shared by every rule an offer fires: the first accept or reject answers it. */
  offerState?: { answered: boolean };
  vars: EventVars;
}

/** What actions get from the runtime: the bot's connections, outputs and shared writers. */
export interface ActionHost {
  /** The bot's name. */
  readonly name: string;
  /** The connection on `server` (undefined: the bot's own), made before the bot started. */
  clientFor(server: ServerRef | undefined): Client;
  /** `host:port` of a server, for archive paths. */
  addressOf(server: ServerRef | undefined): string;
  /** The archive writer of a directory on the bot's server (shared, closed on stop). */
  archiveWriter(dir: string): ArchiveWriter;
  /** A `log` action's line (stdout). */
  log(line: string): void;
  /** A notice or failure (stderr). */
  report(message: string): void;
  /** Work that outlives the action (a file transfer): awaited, bounded, on stop. */
  track(work: Promise<unknown>): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}
