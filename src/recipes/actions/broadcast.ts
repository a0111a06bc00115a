import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';

/** `broadcast: "text"`: broadcasts to every user. */
export const broadcastAction = defineAction({
  name: 'broadcast',
  schema: text('Broadcast a message to every user (template).'),
  compile: (source, ctx) => ctx.template(source),
  run: (template, { event, render }) => event.client.broadcast(render(template)),
});
