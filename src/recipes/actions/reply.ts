import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';
import { directTo, sayIn } from './deliver.js';

/** `reply: "text"`: answers in the event's room (post, join, leave), else directly to the sender. */
export const replyAction = defineAction({
  name: 'reply',
  schema: text('Answer the event: in its room for posts and joins, directly otherwise.'),
  triggers: ['post', 'direct', 'offer', 'join', 'leave'],
  compile: (source, ctx) => ctx.template(source),
  run: (template, { event, host, render }) => {
    const reply = render(template);
    if (event.room !== undefined) return sayIn(event.client, event.room, reply);
    return directTo(host, event.client, event.from!, reply);
  },
});
