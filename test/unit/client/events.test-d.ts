import { describe, expectTypeOf, it } from 'vitest';
import type {
  CLIENT_EVENTS,
  Client,
  ClientEvents,
  IncomingTransfer,
  MembersEvent,
  OfferContext,
  OutgoingTransfer,
  PostContext,
  PostEvent,
  TransferEvent,
} from '../../../src/index.js';

declare const client: Client;

describe('event payloads are typed', () => {
  it('on() gives each listener its payload type', () => {
    client.on('post', (p) => {
      expectTypeOf(p).toEqualTypeOf<PostEvent>();
      expectTypeOf(p.self).toBeBoolean();
    });
    client.on('members', (m) => expectTypeOf(m).toEqualTypeOf<MembersEvent>());
    client.on('direct', (d) => expectTypeOf(d).toEqualTypeOf<{ from: string; text: string }>());
    client.on('offer', (o) => {
      expectTypeOf(o).toEqualTypeOf<OfferContext>();
      expectTypeOf(o.accept({ dir: '/tmp' })).toEqualTypeOf<IncomingTransfer>();
    });
    client.on('presence', (p) =>
      expectTypeOf(p).toEqualTypeOf<{ name: string; online: boolean }>(),
    );
    client.on('transfer', (t) => expectTypeOf(t).toEqualTypeOf<TransferEvent>());
    client.on('disconnect', (d) => {
      expectTypeOf(d.farewell).toEqualTypeOf<string | undefined>();
      expectTypeOf(d.willReconnect).toBeBoolean();
    });
    client.on('reconnecting', (r) => expectTypeOf(r.delayMs).toBeNumber());
    expectTypeOf(client.on('error', () => {})).toEqualTypeOf<() => void>();
  });

  it('refuses unknown events and wrong payload use', () => {
    // @ts-expect-error: no such event
    client.on('pots', () => {});
    // @ts-expect-error: a post has no `to`
    client.on('post', (p) => p.to);
  });

  it('waitFor and posts() resolve to the event payload', () => {
    expectTypeOf(client.waitFor('rooms')).resolves.toEqualTypeOf<{ rooms: string[] }>();
    expectTypeOf(client.waitFor('direct', (d) => d.from === 'x')).resolves.toHaveProperty('text');
    expectTypeOf(client.posts()).toMatchTypeOf<AsyncIterableIterator<PostEvent>>();
    expectTypeOf(client.posts({ maxBuffered: 100, overflow: 'drop-oldest' }).dropped).toBeNumber();
    // @ts-expect-error: no such overflow policy
    client.posts({ overflow: 'block' });
  });

  it('handlers get contexts with reply and match', () => {
    client.onPost({ room: 'ops', match: /x/ }, (ctx) => {
      expectTypeOf(ctx).toMatchTypeOf<PostContext>();
      expectTypeOf(ctx.reply).returns.resolves.toBeVoid();
      // With a `match` filter the handler only runs on a match: never null.
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray>();
    });
    client.onPost({ room: 'ops' }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<PostContext>();
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | null>();
    });
    client.onDirect({ match: /^help$/ }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray>();
    });
    client.onOffer({ match: /\.csv$/ }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray>();
    });
    client.onOffer({ from: 'alice' }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | null>();
    });
    client.onDirect((ctx) => expectTypeOf(ctx.reply).parameter(0).toBeString());
    // @ts-expect-error: onDirect filters have no room
    client.onDirect({ room: 'ops' }, () => {});
  });

  it('commands return typed promises', () => {
    expectTypeOf(client.join('ops')).resolves.toEqualTypeOf<string[]>();
    expectTypeOf(client.direct('a', 'b')).resolves.toEqualTypeOf<{ delivered: boolean }>();
    expectTypeOf(client.isOnline('a')).resolves.toBeBoolean();
    expectTypeOf(
      client.sendFile('a', Buffer.alloc(1), { name: 'x' }),
    ).toEqualTypeOf<OutgoingTransfer>();
    expectTypeOf(client.sendFile('a', 'p').done).resolves.toHaveProperty('sha256');
  });

  it('the runtime event table lists every event of the interface', () => {
    expectTypeOf<(typeof CLIENT_EVENTS)[number]>().toEqualTypeOf<keyof ClientEvents>();
  });
});
