import type { Client, MembersEvent, OfferContext } from '../../index.js';
import type { RecipeEvent } from '../host.js';
import type { RulePlan } from '../plan.js';
import { type Candidate, matchTrigger } from './match.js';

/** Where matched events go: the bot runs each rule's condition and actions in order. */
export interface EventSink {
  readonly name: string;
  fire(rule: RulePlan, event: RecipeEvent): void;
  /** Called after every rule saw an offer; resolves once their actions ran. */
  afterOffer(offer: OfferContext, handled: () => boolean): void;
}

function dispatch(
  rules: readonly RulePlan[],
  sink: EventSink,
  candidate: Candidate,
  make: (vars: RecipeEvent['vars']) => RecipeEvent,
): number {
  let fired = 0;
  for (const rule of rules) {
    const vars = matchTrigger(rule.trigger, candidate, sink.name);
    if (vars === undefined) continue;
    sink.fire(rule, make(vars));
    fired++;
  }
  return fired;
}

/**
 * Subscribes a bot's message triggers on its client: `post`, `direct`, `offer`, and `join`/
 * `leave` computed from member listings. Never fires for the bot's own posts, joins or
 * leaves. The first listing of a room (when the bot itself arrives) is the baseline, not a
 * wave of joins; it is taken again after a reconnection. Returns the unsubscribe function.
 */
export function subscribeEvents(
  client: Client,
  rules: readonly RulePlan[],
  sink: EventSink,
): () => void {
  const of = (kind: string) => rules.filter((r) => r.trigger.kind === kind);
  const posts = of('post');
  const directs = of('direct');
  const offers = of('offer');
  const joins = of('join');
  const leaves = of('leave');
  const offs: (() => void)[] = [];
  if (posts.length > 0) {
    offs.push(
      client.on('post', (p) => {
        if (p.self || p.from === client.name) return;
        dispatch(
          posts,
          sink,
          {
            room: p.room,
            from: p.from,
            subject: p.text,
            fields: { room: p.room, from: p.from, text: p.text },
          },
          (vars) => ({ client, room: p.room, from: p.from, text: p.text, vars }),
        );
      }),
    );
  }
  if (directs.length > 0) {
    offs.push(
      client.on('direct', (d) => {
        dispatch(
          directs,
          sink,
          { from: d.from, subject: d.text, fields: { from: d.from, text: d.text } },
          (vars) => ({ client, from: d.from, text: d.text, vars }),
        );
      }),
    );
  }
  if (offers.length > 0) {
    offs.push(
      client.on('offer', (offer) => {
        const offerState = { answered: false };
        const fields = {
          from: offer.from,
          fileName: offer.fileName,
          size: offer.size,
          id: offer.id,
        };
        dispatch(offers, sink, { from: offer.from, subject: offer.fileName, fields }, (vars) => ({
          client,
          from: offer.from,
          offer,
          offerState,
          vars,
        }));
        sink.afterOffer(offer, () => offerState.answered);
      }),
    );
  }
  if (joins.length > 0 || leaves.length > 0) {
    // Rooms joined before subscribing already had their first listing.
    const baseline = new Set<string>(client.joined);
    const presence = (rulesOf: RulePlan[], room: string, names: string[]) => {
      for (const name of names) {
        if (name === client.name) continue;
        dispatch(rulesOf, sink, { room, from: name, fields: { room, from: name } }, (vars) => ({
          client,
          room,
          from: name,
          vars,
        }));
      }
    };
    offs.push(
      client.on('members', (m: MembersEvent) => {
        if (!baseline.has(m.room)) {
          if (m.members.includes(client.name)) baseline.add(m.room);
          return;
        }
        if (!m.members.includes(client.name)) {
          baseline.delete(m.room);
          return;
        }
        presence(joins, m.room, m.joined);
        presence(leaves, m.room, m.left);
      }),
      client.on('disconnect', () => baseline.clear()),
    );
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
