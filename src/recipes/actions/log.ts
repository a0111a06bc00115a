import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';

/** `log: "text"`: prints a line on standard output. */
export const logAction = defineAction({
  name: 'log',
  schema: text('Print a line on standard output (template).'),
  compile: (source, ctx) => ctx.template(source),
  run: (template, { host, render }) => host.log(render(template)),
});
