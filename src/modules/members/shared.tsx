import type { Db } from "../../platform/db/index.ts";
import { clientIp, tr, type AppContext } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { clearSessionCookie, setLocaleCookie, setSessionCookie } from "../../platform/http/middleware.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { createSession, destroySession } from "../../platform/security/sessions.ts";
import { page } from "../../platform/views/layout.tsx";
import type { LinkPurpose } from "./links.ts";
import type { Member } from "./service.ts";

/*
 * Limits on the forms that send mail: per address, so nobody can flood one
 * mailbox, and per client IP, so nobody can probe or spam at scale. A
 * limited request is answered 429 and sends nothing.
 */
export const limits = {
  addressMax: 5,
  ipMax: 20,
  windowMs: 15 * 60_000,
};

const limited = () => new AppError("rate_limited", 429, "members.error.rate_limited");

async function hit(db: Db, key: string, max: number): Promise<void> {
  try {
    await hitRateLimit(db, key, max, limits.windowMs);
  } catch (err) {
    if (err instanceof AppError && err.status === 429) throw limited();
    throw err;
  }
}

export function limitIp(c: AppContext, action: "join" | "login"): Promise<void> {
  return hit(c.var.services.db, `members:${action}:ip:${clientIp(c)}`, limits.ipMax);
}

/** Shared by join and login: it is the mailbox we protect. */
export function limitAddress(c: AppContext, email: string): Promise<void> {
  return hit(c.var.services.db, `members:addr:${email}`, limits.addressMax);
}

/** Opens a member session (inside the caller's transaction) and returns its token. */
export async function openMemberSession(c: AppContext, trx: Db, memberId: string): Promise<string> {
  const { token } = await createSession(trx, "member", memberId, {
    ip: clientIp(c),
    userAgent: c.req.header("user-agent"),
  });
  return token;
}

/** After the transaction committed: swap cookies (dropping any earlier member session) and speak the member's language. */
export async function finishLogin(c: AppContext, token: string, member: Member): Promise<void> {
  const previous = c.var.memberSession;
  if (previous) await destroySession(c.var.services.db, previous.sessionId);
  setSessionCookie(c, "member", token);
  setLocaleCookie(c, member.locale);
}

export function endMemberSession(c: AppContext): void {
  clearSessionCookie(c, "member");
  c.set("memberSession", null);
}

/** A link that cannot be used: say why, and offer a new one. */
export function linkProblemPage(c: AppContext, err: AppError, purpose: LinkPurpose) {
  const t = tr(c);
  // A used confirmation link most likely means the address is confirmed: offer to log in.
  const toLogin = purpose === "login" || err.code === "link_used";
  const again = toLogin ? "/login" : "/join";
  const label =
    purpose === "login" ? "members.link.login.again" : toLogin ? "members.join.login" : "members.link.confirm.again";
  return page(
    c,
    { title: t("members.link.problem_title"), noindex: true },
    <div class="narrow">
      <div class="card member-card">
        <h1>{t("members.link.problem_title")}</h1>
        <p class="lead" data-error-code={err.code}>
          {t(err.messageKey)}
        </p>
        <p>
          <a class="btn" href={again}>
            {t(label)}
          </a>
        </p>
      </div>
    </div>,
    err.status as 400,
  );
}

export function isLinkError(err: unknown): err is AppError {
  return err instanceof AppError && err.code.startsWith("link_");
}

/** The "check your inbox" page: identical whether or not we knew the address. */
export function checkInboxPage(c: AppContext, email: string, kind: "join" | "login") {
  const t = tr(c);
  return page(
    c,
    { title: t("members.inbox.title"), noindex: true },
    <div class="narrow">
      <div class="card member-card inbox">
        <p class="member-icon" aria-hidden="true">
          ✉
        </p>
        <h1>{t("members.inbox.title")}</h1>
        <p class="lead">{t(`members.inbox.${kind}`, { email })}</p>
        <p class="muted">{t(`members.inbox.${kind}_expiry`)}</p>
        <p class="muted small">{t("members.inbox.nothing")}</p>
        <p>
          <a href={kind === "join" ? "/join" : "/login"}>{t("members.inbox.retry")}</a>
        </p>
      </div>
    </div>,
  );
}
