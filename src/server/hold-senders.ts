import type { ServerSession } from './session.js';

/**
 * Room backpressure (CLARIFICATIONS §6.9 applied to posts). When a member's queue of chat
 * traffic passes `watermark` bytes, the server stops reading from the clients whose posts
 * filled it until that member's socket drains (`releaseSenders`). A burst into a room then
 * goes at the pace of its slowest reader instead of cutting that reader off at the output
 * limit; the sender's own post window (it waits for its echoes) sees the pause and waits.
 * A member that reads nothing while it holds senders is ended by the heartbeat sweep's stall
 * check, so a stuck reader cannot hold a room for ever.
 */
export function holdSenders(
  member: ServerSession,
  senders: ReadonlySet<ServerSession>,
  watermark: number,
): void {
  if (member.conn.closing || member.queuedChatBytes <= watermark) return;
  for (const sender of senders) {
    if (sender.state === 'closed' || member.blockedSenders.has(sender)) continue;
    if (member.blockedSenders.size === 0) member.blockedSince = Date.now();
    member.blockedSenders.add(sender);
    sender.blockedOn.add(member);
    sender.conn.pause();
  }
}
