/**
 * The first `count` buffers of `slots` copied into one of `bytes` bytes (their total). For
 * arrays kept from use to use, whose later slots are empty: `Buffer.concat` takes a whole
 * list, so it would need a fresh one each time.
 */
export function joinSlots(
  slots: readonly (Uint8Array | undefined)[],
  count: number,
  bytes: number,
): Buffer {
  const all = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const part = slots[i]!;
    all.set(part, at);
    at += part.length;
  }
  return all;
}
