import { z } from 'zod';
import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';
import { directTo } from './deliver.js';

/** `direct: { to, text }`: sends a direct message (an offline recipient is reported). */
export const directAction = defineAction({
  name: 'direct',
  schema: z
    .strictObject({
      to: text('Recipient (a template, e.g. "{from}").'),
      text: text('Message template.'),
    })
    .meta({ description: 'Send a direct message.' }),
  compile: (spec, ctx) => ({
    to: ctx.template(spec.to, [...ctx.path, 'to']),
    text: ctx.template(spec.text, [...ctx.path, 'text']),
  }),
  run: (plan, { event, host, render }) =>
    directTo(host, event.client, render(plan.to), render(plan.text)),
});
