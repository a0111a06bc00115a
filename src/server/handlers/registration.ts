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
  const { cluster } = ctx;
  if (cluster !== null) {
    ctx.hold(
      session,
      cluster.claim(name),
      (got) => {
        if (got === 'ok' && registry.user(name) === undefined) admit(ctx, session, name);
        else if (got === 'ok' || got === 'taken') {
          // 'ok' here: another local session took the name meanwhile, and keeps it.
          ctx.fail(session, ErrorCode.NAME_IN_USE, `name '${name}' is already in use`);
        } else if (got === 'full') {
          ctx.fail(session, ErrorCode.TOO_MANY_USERS, `user limit of ${options.maxUsers} reached`);
        } else {
          // Admitting without Redis could let two nodes hand out one name.
          ctx.fail(
            session,
            ErrorCode.UNKNOWN,
            'registration refused: the cluster store (Redis) is unreachable',
          );
        }
      },
      (got) => {
        if (got === 'ok' && registry.user(name) === undefined) cluster.release(name);
      },
    );
    return;
  }
  if (registry.userCount >= options.maxUsers) {
    ctx.fail(session, ErrorCode.TOO_MANY_USERS, `user limit of ${options.maxUsers} reached`);
    return;
  }
  admit(ctx, session, name);
}

function admit(ctx: ServerContext, session: ServerSession, name: string): void {
  ctx.registry.addUser(name, session);
  session.name = name;
  session.state = 'registered';
  ctx.registered(session);
  ctx.log.info('registered', { conn: session.id, name, addr: session.address });
}
