import { z } from 'zod';
import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';

/**
 * `archive: { dir }`: appends the event with the archiver bot's `ArchiveWriter` (one writer per
 * directory, so files and sequence numbers are shared by every rule that archives there):
 * `<dir>/<host>_<port>/<room>/YYYY-MM-DD.jsonl` and `.log`.
 */
export const archiveAction = defineAction({
  name: 'archive',
  schema: z
    .strictObject({ dir: text('Directory the archive files go to (created if needed).') })
    .nullable()
    .meta({ description: 'Append the event to the archive (the archiver bot’s writer).' }),
  triggers: ['post', 'join', 'leave'],
  compile: (spec) => ({ dir: spec?.dir ?? 'archive' }),
  run: (plan, { event, host, trigger }) => {
    const type = trigger as 'post' | 'join' | 'leave';
    host.archiveWriter(plan.dir).write({
      room: event.room!,
      type,
      from: event.from!,
      text: type === 'post' ? (event.text ?? null) : null,
    });
  },
});
