import type { MiddlewareHandler } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { findStaffUser, type StaffUser } from "./service.ts";
import { staffActor, type Actor } from "../../platform/actor.ts";

/**
 * Guards every /admin page: without a complete staff session (password and,
 * when enabled, the TOTP code), a page request goes to the login form and
 * anything else is a 401.
 */
/** The admin pages reachable before logging in (logout too, so a half-done login can be cancelled). */
const publicAdminPaths = new Set(["/admin/login", "/admin/login/totp", "/admin/logout"]);

export function requireStaff(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (publicAdminPaths.has(c.req.path)) return next();
    const session = c.var.staffSession;
    if (!session || session.mfaPending) {
      if (c.req.method === "GET") return c.redirect(`/admin/login?next=${encodeURIComponent(c.req.path)}`, 303);
      throw new AppError("unauthenticated", 401);
    }
    return next();
  };
}

/** The logged-in staff user (call only behind requireStaff). */
export async function currentStaff(c: AppContext): Promise<StaffUser> {
  const session = c.var.staffSession;
  const user = session ? await findStaffUser(c.var.services.db, session.subjectId) : undefined;
  if (!user) throw new AppError("unauthenticated", 401);
  return user;
}

/** The logged-in staff user as the actor of an operation (call only behind requireStaff). */
export async function staffActorOf(c: AppContext): Promise<Actor> {
  const user = await currentStaff(c);
  return staffActor(user.id, user.role);
}
