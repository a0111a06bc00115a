import {
  type ClientFrame,
  ErrorCode,
  errorCodeName,
  Kind,
  kindName,
} from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { ServerSession } from '../session.js';

/**
 * Handles a frame from a connection that has not registered yet (CLARIFICATIONS §4): only
 * NEW_CLIENT moves it on, a HEARTBEAT is tolerated, anything else is ILLEGAL_KIND.
 */
export function handleUnregistered(
  ctx: ServerContext,
  session: ServerSession,
  frame: ClientFrame,
): void {
  switch (frame.kind) {
    case Kind.HEARTBEAT:
      return;
    case Kind.NEW_CLIENT:
      register(ctx, session, frame.name);
      return;
    case Kind.ERR:
      ctx.finish(
        session,
        `client sent ERR ${errorCodeName(frame.code)} before registering`,
        'closed',
      );
      return;
    default:
      ctx.fail(
        session,
        ErrorCode.ILLEGAL_KIND,
        `first frame was ${kindName(frame.kind)}; it must be NEW_CLIENT`,
      );
  }
}

function register(ctx: ServerContext, session: ServerSession, name: string): void {
  const { registry, options } = ctx;
  const allowed = session.certificateNames;
  if (allowed !== null && !allowed.includes(name)) {
    // The certificate is the proof of who this is: any other name would be an impersonation.
    ctx.fail(
      session,
      ErrorCode.ILLEGAL_NAME,
      `name '${name}' is not on the client certificate (it names ${allowed.map((n) => `'${n}'`).join(', ') || 'nobody'})`,
    );
    return;
  }
  if (registry.user(name) !== undefined) {
    ctx.fail(session, ErrorCode.NAME_IN_USE, `name '${name}' is already in use`);
    return;
  }
  if (registry.userCount >= options.maxUsers) {
    ctx.fail(session, ErrorCode.TOO_MANY_USERS, `user limit of ${options.maxUsers} reached`);
    return;
  }
  registry.addUser(name, session);
  session.name = name;
  session.state = 'registered';
  ctx.registered(session);
  ctx.log.info('registered', { conn: session.id, name, addr: session.address });
}
