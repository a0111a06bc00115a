import type { ActionDescriptor } from '../define.js';
import { acceptAction } from './accept.js';
import { archiveAction } from './archive.js';
import { broadcastAction } from './broadcast.js';
import { directAction } from './direct.js';
import { logAction } from './log.js';
import { postAction } from './post.js';
import { rejectAction } from './reject.js';
import { relayAction } from './relay.js';
import { replyAction } from './reply.js';
import { sendFileAction } from './send-file.js';

/**
 * The built-in recipe actions, in the order the schema and error messages list them. Each is
 * one file in this folder; the schema, messages, JSON Schema and runtime derive from this list.
 */
export const BUILTIN_ACTIONS: readonly ActionDescriptor[] = [
  replyAction,
  postAction,
  directAction,
  broadcastAction,
  archiveAction,
  acceptAction,
  rejectAction,
  sendFileAction,
  relayAction,
  logAction,
];
