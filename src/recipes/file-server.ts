import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { roomName } from '../room-notation.js';
import { parseSize } from '../size.js';
import type { CompileContext } from './define.js';
import type { RecipePath } from './positions.js';
import { an, oneOrMany, size, text } from './schema-parts.js';

// A bot-level `file_server` runs the bundled file server bot (bots/file-server.ts) as that
// bot, the way `relaykit serve-files` does: a recipe can ship it beside other bots, on the
// same servers, with the same lifecycle.

/** A bot's `file_server`: the bundled file server bot's options, checked. */
export interface FileServerPlan {
  /** Absolute path of the folder served. */
  dir: string;
  upload: boolean;
  maxUploadSize?: number;
  quotaPerUser?: number;
  from?: string[];
  announce?: string;
}

/** The schema of a bot's `file_server` key. */
export const fileServerSchema = z
  .strictObject({
    dir: text(
      'The folder to serve (created if missing), relative to where relaykit run starts; nothing outside it is served.',
    ),
    upload: z.boolean({ error: 'expected true or false' }).optional().meta({
      description: 'Take files offered to the bot, into <dir>/uploads/<user>/ (default false).',
    }),
    max_upload: size.optional().meta({ description: 'Largest upload (default 100M).' }),
    quota: size
      .optional()
      .meta({ description: 'Bytes each user may keep in uploads (default 1G).' }),
    from: oneOrMany('Only these users may use it (default: everyone).').optional(),
    announce: text(
      'Post "new file: <name> (<size>) from <user>" in this room for each upload.',
    ).optional(),
  })
  .meta({
    description:
      'Run the bundled file server bot as this bot: help, ls, find, info, get, queue, cancel and uploads by direct message.',
  });

// The triggers a file server bot may not also have: it answers every direct message and offer,
// so such a rule would answer twice.
const FILE_SERVER_OWNS = ['direct', 'offer'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The `file_server` of one bot as parsed (valid or not): a bot needs it or `on`, and may not
 * also have `direct` or `offer` rules. Returns the plan when the value passed its schema
 * (whose own problems the schema step reports).
 */
export function botFileServer(
  bot: Readonly<Record<string, unknown>>,
  path: RecipePath,
  ctx: Pick<CompileContext, 'problem' | 'name'>,
): FileServerPlan | undefined {
  if (bot.file_server === undefined) {
    if (bot.on === undefined) {
      ctx.problem(
        'RECIPE_MISSING_KEY',
        'a bot needs `on` (its rules) or `file_server` (the bundled file server)',
        path,
      );
    }
    return undefined;
  }
  (Array.isArray(bot.on) ? bot.on : []).forEach((rule: unknown, i) => {
    if (!isObject(rule)) return;
    for (const kind of FILE_SERVER_OWNS) {
      if (rule[kind] === undefined) continue;
      ctx.problem(
        'RECIPE_FILE_SERVER_RULE',
        `${an(kind)} rule cannot share a bot with \`file_server\`, which answers every ${kind === 'direct' ? 'direct message' : 'offer'}; give the rule a bot of its own`,
        [...path, 'on', i, kind],
      );
    }
  });
  return isObject(bot.file_server)
    ? compileFileServer(bot.file_server, [...path, 'file_server'], ctx)
    : undefined;
}

/**
 * Checks a `file_server` value as parsed: each key that passes its own schema (the schema
 * step reports those that do not, so one pass finds every problem) is checked further:
 * sizes, user and room names, and that `dir` is a folder when it exists. Problems go to `ctx`
 * (the plan only runs when there are none); `dir` is resolved from the working directory,
 * like `files_root` and `accept`'s, since it is data, not configuration beside the recipe.
 */
export function compileFileServer(
  spec: Readonly<Record<string, unknown>>,
  path: RecipePath,
  ctx: Pick<CompileContext, 'problem' | 'name'>,
): FileServerPlan | undefined {
  const shape = fileServerSchema.shape;
  const valid = <K extends keyof typeof shape>(key: K): z.infer<(typeof shape)[K]> | undefined => {
    const parsed = shape[key].safeParse(spec[key]);
    return parsed.success ? (parsed.data as z.infer<(typeof shape)[K]>) : undefined;
  };
  const given = valid('dir');
  if (given === undefined) return undefined;
  const dir = resolve(given);
  if (given.trim() === '') {
    ctx.problem('RECIPE_FILE_SERVER_DIR', 'give the folder to serve, e.g. `dir: ./shared`', [
      ...path,
      'dir',
    ]);
  } else if (!isFolderOrMissing(dir)) {
    ctx.problem(
      'RECIPE_FILE_SERVER_DIR',
      `\`${given}\` is a file, not a folder (${dir}); name a folder to serve`,
      [...path, 'dir'],
    );
  }
  const upload = valid('upload');
  const plan: FileServerPlan = { dir, upload: upload ?? false };
  const maxUpload = valid('max_upload');
  if (maxUpload !== undefined) plan.maxUploadSize = parseSize(maxUpload) ?? 0;
  const quota = valid('quota');
  if (quota !== undefined) plan.quotaPerUser = parseSize(quota) ?? 0;
  const uploadsOff = spec.upload === undefined || upload === false;
  if ((maxUpload !== undefined || quota !== undefined) && uploadsOff) {
    ctx.problem(
      'RECIPE_FILE_SERVER_NO_UPLOAD',
      '`max_upload` and `quota` limit uploads, which are off: add `upload: true`, or remove them',
      [...path, maxUpload !== undefined ? 'max_upload' : 'quota'],
    );
  }
  const from = valid('from');
  if (from !== undefined) {
    const users = typeof from === 'string' ? [from] : from;
    for (const [i, user] of users.entries()) {
      ctx.name(user, 'user', typeof from === 'string' ? [...path, 'from'] : [...path, 'from', i]);
    }
    plan.from = users;
  }
  const announce = valid('announce');
  if (announce !== undefined) {
    plan.announce = roomName(announce);
    ctx.name(plan.announce, 'room', [...path, 'announce']);
  }
  return plan;
}

function isFolderOrMissing(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return true; // missing: the bot creates it
  }
}
