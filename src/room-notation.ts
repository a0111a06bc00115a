/**
 * Reads a room as people write it: IRC users type `#ops` for the room `ops`, and `listen`
 * shows rooms that way, so one leading `#` is notation and is dropped. A room whose real name
 * starts with `#` takes a second one: `##ops` is the room `#ops`. The CLI and recipes read
 * every room through this; the SDK takes real names as they are.
 *
 * @example
 * roomName('#ops')  // 'ops'
 * roomName('ops')   // 'ops'
 * roomName('##ops') // '#ops'
 */
export function roomName(text: string): string {
  return text.startsWith('#') ? text.slice(1) : text;
}

/**
 * Writes a room so that `roomName` reads it back as the same room: as it is, unless its real
 * name starts with `#`, which takes a second one. `relaykit rooms` prints rooms this way, so
 * every line it prints can be handed to `who`, `say` or `listen`.
 *
 * @example
 * roomText('ops')  // 'ops'
 * roomText('#ops') // '##ops'
 */
export function roomText(room: string): string {
  return room.startsWith('#') ? `#${room}` : room;
}
