import { describe, expect, it } from 'vitest';
import { type Member, Registry } from '../../../src/server/registry.js';
import { TransferTable } from '../../../src/server/transfers.js';

const member = (): Member => ({ rooms: new Set() });

describe('Registry', () => {
  it('keeps names unique and only removes a name for its own member', () => {
    const r = new Registry<Member>();
    const a = member();
    const b = member();
    expect(r.addUser('alice', a)).toBe(true);
    expect(r.addUser('alice', b)).toBe(false);
    r.removeUser('alice', b);
    expect(r.user('alice')).toBe(a);
    r.removeUser('alice', a);
    expect(r.user('alice')).toBeUndefined();
    expect(r.userCount).toBe(0);
  });

  it('lists members in join order and keeps member.rooms in step', () => {
    const r = new Registry<Member>();
    const [a, b, c] = [member(), member(), member()];
    expect(r.join(b, 'ops')).toBe('joined');
    expect(r.join(a, 'ops')).toBe('joined');
    expect(r.join(c, 'ops')).toBe('joined');
    expect(r.join(a, 'ops')).toBe('already-member');
    expect([...r.members('ops')!]).toEqual([b, a, c]);
    expect(a.rooms).toEqual(new Set(['ops']));
    expect([...r.leave(a, 'ops')!]).toEqual([b, c]);
    expect(a.rooms.size).toBe(0);
    expect(r.leave(a, 'ops')).toBeUndefined();
  });

  it('deletes an empty room and sorts room names by UTF-8 bytes, caching until a change', () => {
    const r = new Registry<Member>();
    const a = member();
    for (const room of ['zeta', 'Ärger', 'alpha', '🎉', 'Zulu']) r.join(a, room);
    const first = r.roomNames();
    expect(first).toEqual(['Zulu', 'alpha', 'zeta', 'Ärger', '🎉']);
    const version = r.roomsVersion;
    r.join(member(), 'alpha');
    expect(r.roomNames()).toBe(first);
    r.leave(a, 'zeta');
    expect(r.roomsVersion).not.toBe(version);
    expect(r.roomNames()).toEqual(['Zulu', 'alpha', 'Ärger', '🎉']);
    expect(r.roomCount).toBe(4);
  });

  it('refuses to create a room past the limit but lets members join existing ones', () => {
    const r = new Registry<Member>({ maxRooms: 1 });
    const [a, b] = [member(), member()];
    expect(r.join(a, 'one')).toBe('joined');
    expect(r.join(a, 'two')).toBe('too-many-rooms');
    expect(a.rooms).toEqual(new Set(['one']));
    expect(r.join(b, 'one')).toBe('joined');
    r.leave(a, 'one');
    r.leave(b, 'one');
    expect(r.join(b, 'two')).toBe('joined');
  });
});

describe('TransferTable', () => {
  const fields = {
    source: 's',
    target: 't',
    sourceName: 's',
    targetName: 't',
    size: 1,
    fileName: 'f',
  };

  it('hands out ids round-robin from 1 and never two live transfers the same id', () => {
    const table = new TransferTable<string>();
    const a = table.create(fields)!;
    const b = table.create(fields)!;
    expect([a.id, b.id]).toEqual([1, 2]);
    table.delete(a.id);
    // A freed id is not reused at once (a late chunk for it cannot land in a new transfer).
    expect(table.create(fields)!.id).toBe(3);
    expect(table.get(b.id)).toMatchObject({ state: 'offered', relayed: 0 });
  });

  it('runs out after 65535 live transfers, then wraps around to a freed id', () => {
    const table = new TransferTable<string>();
    for (let i = 0; i < 0xffff; i++) table.create(fields);
    expect(table.size).toBe(0xffff);
    expect(table.create(fields)).toBeUndefined();
    table.delete(777);
    expect(table.create(fields)!.id).toBe(777);
  });
});
