import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCRIPTS } from '../../../src/server/cluster/scripts.js';
import { redisForFile } from '../../support/redis-server.js';

// The cluster's Lua scripts run in a real redis-server. These cases are the ones a Redis
// restart makes possible: a name held by another node while this node still serves a user
// of that name, until its re-assertion evicts it.

type Call = (...args: (string | number)[]) => Promise<unknown>;

const redis = redisForFile();
let client: Redis;
let P = '';
const call = (name: keyof typeof SCRIPTS, ...args: (string | number)[]): Promise<unknown> =>
  (client as unknown as Record<string, Call>)[name]!(P, ...args);
const members = (room: string) => client.zrange(`${P}:room:${room}`, 0, -1);

beforeAll(async () => {
  client = new Redis(redis.url, { lazyConnect: true });
  for (const [name, def] of Object.entries(SCRIPTS)) client.defineCommand(name, def);
  await client.connect();
});
afterAll(async () => {
  await client.quit();
});
beforeEach(async () => {
  P = `s-${randomUUID()}`;
  for (const node of ['a', 'b']) await call('rkSweep', node, 60_000);
});

describe('cluster scripts: a name another node holds', () => {
  it('node b cannot take it out of its rooms by leaving them or releasing it', async () => {
    expect(await call('rkClaim', 'a', 'bob', -1)).toBe('ok');
    expect(await call('rkJoin', 'a', 'bob', 'ops', -1, '0')).toEqual(
      expect.arrayContaining(['joined']),
    );
    expect(await call('rkClaim', 'b', 'bob', -1)).toBe('taken');

    expect(await call('rkLeave', 'b', 'bob', 'ops')).toBeNull();
    await call('rkRelease', 'b', 'bob');
    await call('rkPrune', 'b');

    expect(await members('ops')).toEqual(['bob']);
    expect(await client.get(`${P}:user:bob`)).toBe('a');
    expect(await client.hgetall(`${P}:rn:ops`)).toEqual({ a: '1' });
    // Its holder still can.
    expect(await call('rkLeave', 'a', 'bob', 'ops')).not.toBeNull();
    expect(await members('ops')).toEqual([]);
  });

  it('node b cannot join rooms under it', async () => {
    expect(await call('rkClaim', 'a', 'bob', -1)).toBe('ok');
    expect(await call('rkJoin', 'b', 'bob', 'lobby', -1, '0')).toEqual(['already']);
    expect(await members('lobby')).toEqual([]);
    expect(await client.exists(`${P}:rn:lobby`)).toBe(0);
  });

  it('a name whose holder is gone (its lease ran out) is taken over, rooms and all', async () => {
    expect(await call('rkClaim', 'a', 'bob', -1)).toBe('ok');
    await call('rkJoin', 'a', 'bob', 'ops', -1, '0');
    await client.del(`${P}:node:a`);
    expect(await call('rkClaim', 'b', 'bob', -1)).toBe('ok');
    expect(await client.get(`${P}:user:bob`)).toBe('b');
    expect(await members('ops')).toEqual([]);
    expect(await call('rkJoin', 'b', 'bob', 'ops', -1, '0')).toEqual(
      expect.arrayContaining(['joined']),
    );
  });
});
