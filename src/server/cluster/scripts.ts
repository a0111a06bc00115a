/**
 * The cluster's Lua scripts. Each runs atomically inside Redis, which is what makes a name
 * claim or a room change safe with many nodes: no other command runs in between.
 *
 * Keys, under the prefix P (ARGV[1] of every script):
 * - `P:node:<id>` a node's lease (expires when the node stops renewing it); `P:nodes` the ids.
 * - `P:user:<name>` the node holding a name; `P:users` every name (counts `maxUsers`);
 *   `P:nu:<node>` a node's names; `P:ur:<name>` a user's rooms.
 * - `P:room:<room>` members scored by join version; `P:rn:<room>` node → local member count;
 *   `P:rv:<room>` the room's last version; `P:rooms` every room (score 0, so byte order);
 *   `P:seq` the version counter every room change takes a number from.
 * Room changes are published, inside the script, to `P:n:<node>` of every node with members
 * there (the one that made the change too, so each sees every change in one ordered stream), as JSON `{t, r, u, o, p, v}`: kind (`j`oin or `l`eave), room, user, user's
 * node, the room's previous version and its new one. A node applies them in version order.
 */

/** Shared functions every script starts with. */
const PRELUDE = `
local P = ARGV[1]
local function publish(room, msg)
  for _, n in ipairs(redis.call('HKEYS', P..':rn:'..room)) do
    redis.call('PUBLISH', P..':n:'..n, msg)
  end
end
-- Whether another node holds 'name' now (it took it while Redis was away): the rooms under
-- that name are its user's, not this node's to join or leave.
local function heldElsewhere(name, node)
  local owner = redis.call('GET', P..':user:'..name)
  return owner ~= false and owner ~= node
end
local function leave(room, name, node)
  local rk = P..':room:'..room
  if heldElsewhere(name, node) then return false end
  if redis.call('ZREM', rk, name) == 0 then return false end
  redis.call('SREM', P..':ur:'..name, room)
  local prev = tonumber(redis.call('GET', P..':rv:'..room) or '0')
  local v = redis.call('INCR', P..':seq')
  if redis.call('HINCRBY', P..':rn:'..room, node, -1) <= 0 then
    redis.call('HDEL', P..':rn:'..room, node)
  end
  if redis.call('ZCARD', rk) == 0 then
    redis.call('DEL', P..':rv:'..room, P..':rn:'..room)
    redis.call('ZREM', P..':rooms', room)
  else
    redis.call('SET', P..':rv:'..room, v)
    publish(room, cjson.encode({t='l', r=room, u=name, o=node, p=prev, v=v}))
  end
  return {prev, v}
end
local function join(room, name, node)
  local rk = P..':room:'..room
  local prev = tonumber(redis.call('GET', P..':rv:'..room) or '0')
  local v = redis.call('INCR', P..':seq')
  redis.call('SET', P..':rv:'..room, v)
  redis.call('ZADD', rk, v, name)
  redis.call('ZADD', P..':rooms', 0, room)
  redis.call('SADD', P..':ur:'..name, room)
  redis.call('HINCRBY', P..':rn:'..room, node, 1)
  publish(room, cjson.encode({t='j', r=room, u=name, o=node, p=prev, v=v}))
  return v
end
local function dropUser(name, node)
  if not heldElsewhere(name, node) then
    for _, room in ipairs(redis.call('SMEMBERS', P..':ur:'..name)) do leave(room, name, node) end
    redis.call('DEL', P..':ur:'..name)
    if redis.call('GET', P..':user:'..name) == node then
      redis.call('DEL', P..':user:'..name)
      redis.call('SREM', P..':users', name)
    end
  end
  redis.call('SREM', P..':nu:'..node, name)
end
local function snapshot(room)
  local out = {tonumber(redis.call('GET', P..':rv:'..room) or '0')}
  for _, name in ipairs(redis.call('ZRANGE', P..':room:'..room, 0, -1)) do
    out[#out + 1] = name
    out[#out + 1] = redis.call('GET', P..':user:'..name) or ''
  end
  return out
end
local function claim(name, node, max)
  local owner = redis.call('GET', P..':user:'..name)
  if owner then
    if owner == node then return 'ok' end
    if redis.call('EXISTS', P..':node:'..owner) == 1 then return 'taken' end
    -- Its node died and has not been reaped yet: its user goes now, rooms and all.
    dropUser(name, owner)
  end
  if max >= 0 and redis.call('SCARD', P..':users') >= max then return 'full' end
  redis.call('SET', P..':user:'..name, node)
  redis.call('SADD', P..':users', name)
  redis.call('SADD', P..':nu:'..node, name)
  return 'ok'
end
local function reap(node)
  for _, name in ipairs(redis.call('SMEMBERS', P..':nu:'..node)) do dropUser(name, node) end
  redis.call('DEL', P..':nu:'..node, P..':node:'..node)
  redis.call('SREM', P..':nodes', node)
end
`;

/** A script with the number of its keys (always 0: keys are built from the prefix). */
export interface ScriptDef {
  numberOfKeys: 0;
  lua: string;
}

function script(body: string): ScriptDef {
  return { numberOfKeys: 0, lua: PRELUDE + body };
}

/** Every script, by the command name ioredis defines for it. */
export const SCRIPTS = {
  /** ARGV: P, node, name, maxUsers (-1: none) → 'ok' | 'taken' | 'full'. */
  rkClaim: script(`return claim(ARGV[3], ARGV[2], tonumber(ARGV[4]))`),
  /**
   * ARGV: P, node, name, room, maxRooms (-1: none), snapshot ('1' or '0') →
   * {'already'} | {'full'} | {'joined', version, prev[, snapshot…]}.
   */
  rkJoin: script(`
local node, name, room, max = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local rk = P..':room:'..room
if redis.call('ZSCORE', rk, name) then return {'already'} end
-- This user is about to be evicted: its join would be one the name's holder never made.
if heldElsewhere(name, node) then return {'already'} end
if max >= 0 and redis.call('EXISTS', rk) == 0 and redis.call('ZCARD', P..':rooms') >= max then
  return {'full'}
end
local prev = tonumber(redis.call('GET', P..':rv:'..room) or '0')
local v = join(room, name, node)
local out = {'joined', v, prev}
if ARGV[6] == '1' then
  for _, x in ipairs(snapshot(room)) do out[#out + 1] = x end
end
return out`),
  /** ARGV: P, node, name, room → {prev, version}, or false when it was not a member. */
  rkLeave: script(`return leave(ARGV[4], ARGV[3], ARGV[2])`),
  /** ARGV: P, node, name: the user leaves every room and frees its name. */
  rkRelease: script(`dropUser(ARGV[3], ARGV[2]) return 1`),
  /** ARGV: P, name → the live node holding it, or false. */
  rkLocate: script(`
local owner = redis.call('GET', P..':user:'..ARGV[2])
if owner and redis.call('EXISTS', P..':node:'..owner) == 1 then return owner end
return false`),
  /** ARGV: P, room → {version, name, node, name, node…}. */
  rkSnapshot: script(`return snapshot(ARGV[2])`),
  /**
   * ARGV: P, node, leaseMs: renews this node's lease, reaps every node whose lease ran out,
   * and returns {live node ids…, '', reaped ids…, '', '1' when this node's own lease had run
   * out (the node stalled past it, so others may have reaped its users) else '0'}.
   */
  rkSweep: script(`
local me, lease = ARGV[2], tonumber(ARGV[3])
local lapsed = redis.call('EXISTS', P..':node:'..me) == 0
redis.call('SET', P..':node:'..me, '1', 'PX', lease)
redis.call('SADD', P..':nodes', me)
local live, dead = {}, {}
for _, n in ipairs(redis.call('SMEMBERS', P..':nodes')) do
  if redis.call('EXISTS', P..':node:'..n) == 1 then live[#live + 1] = n
  else reap(n) dead[#dead + 1] = n end
end
live[#live + 1] = ''
for _, n in ipairs(dead) do live[#live + 1] = n end
live[#live + 1] = ''
live[#live + 1] = lapsed and '1' or '0'
return live`),
  /** ARGV: P, node: this node leaves the cluster with every user it holds. */
  rkDepart: script(`reap(ARGV[2]) return 1`),
  /**
   * ARGV: P, node, maxUsers, name, room… : after Redis came back, this node's user holds its
   * name again (or 'taken' when another node holds it now) and exactly these rooms.
   */
  rkReassert: script(`
local node, name = ARGV[2], ARGV[4]
local got = claim(name, node, tonumber(ARGV[3]))
if got ~= 'ok' then return got end
local want = {}
for i = 5, #ARGV do want[ARGV[i]] = true end
for _, room in ipairs(redis.call('SMEMBERS', P..':ur:'..name)) do
  if not want[room] then leave(room, name, node) end
end
for i = 5, #ARGV do
  if redis.call('ZSCORE', P..':room:'..ARGV[i], name) == false then join(ARGV[i], name, node) end
end
return 'ok'`),
  /** ARGV: P, node, name… : drops this node's users in Redis that it no longer has. */
  rkPrune: script(`
local keep = {}
for i = 3, #ARGV do keep[ARGV[i]] = true end
for _, name in ipairs(redis.call('SMEMBERS', P..':nu:'..ARGV[2])) do
  if not keep[name] then dropUser(name, ARGV[2]) end
end
return 1`),
} satisfies Record<string, ScriptDef>;
