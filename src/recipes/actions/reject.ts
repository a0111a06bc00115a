import { z } from 'zod';
import { defineAction } from '../define.js';

/** `reject:` declines the offer (unless an earlier action of the rules answered it). */
export const rejectAction = defineAction({
  name: 'reject',
  schema: z.strictObject({}).nullable().meta({ description: 'Reject the offered file.' }),
  triggers: ['offer'],
  compile: () => ({}),
  run: async (_plan, { event }) => {
    const state = event.offerState!;
    if (state.answered) return;
    state.answered = true;
    await event.offer!.reject();
  },
});
