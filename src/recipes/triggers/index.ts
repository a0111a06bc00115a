import type { TriggerDescriptor } from '../define.js';
import { directTrigger } from './direct.js';
import { everyTrigger } from './every.js';
import { offerTrigger } from './offer.js';
import { postTrigger } from './post.js';
import { joinTrigger, leaveTrigger } from './presence.js';
import { startTrigger } from './start.js';
import { stdinTrigger } from './stdin.js';

/**
 * The built-in recipe triggers, in the order the schema and error messages list them. The
 * schema, field lists, JSON Schema and subscriptions derive from this list.
 */
export const BUILTIN_TRIGGERS: readonly TriggerDescriptor[] = [
  postTrigger,
  directTrigger,
  offerTrigger,
  joinTrigger,
  leaveTrigger,
  everyTrigger,
  startTrigger,
  stdinTrigger,
];
