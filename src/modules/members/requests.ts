import { transaction, type Db } from "../../platform/db/index.ts";
import { enqueue, registerJobHandler } from "../../platform/jobs/index.ts";
import { toLocale, type Locale } from "../../platform/i18n/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { createLink, type JoinIntent } from "./links.ts";
import { sendLinkMail } from "./mail.ts";
import { createMember, findMemberByEmail } from "./service.ts";

/*
 * Join and login answer at once with the same page whether or not the
 * address is known, and do the same work in the request either way: one
 * job enqueued. The job looks the address up, creates the pending member or
 * the link, and queues the mail, so neither the answer nor its timing tells
 * who is a member.
 */

export const linkRequestJob = "members.link_request";

export type LinkRequest =
  | { kind: "login"; email: string; next: string | null; publicUrl: string }
  | { kind: "gift"; email: string; locale: Locale; next: string; publicUrl: string }
  | {
      kind: "join";
      email: string;
      name: string;
      locale: Locale;
      intent: JoinIntent;
      ip: string | null;
      next: string | null;
      publicUrl: string;
    };

export async function requestLink(db: Db, request: LinkRequest): Promise<void> {
  await enqueue(db, linkRequestJob, request, { maxAttempts: 5 });
}

/**
 * A gift is claimed by the member who owns its recipient's address: an
 * anonymous visitor gets a login link sent to that address (a pending member
 * is created for it when needed), which leads back to the gift.
 */
export function requestGiftLink(
  db: Db,
  r: { recipientEmail: string; locale: Locale; giftPath: string; publicUrl: string },
): Promise<void> {
  return requestLink(db, {
    kind: "gift",
    email: r.recipientEmail,
    locale: r.locale,
    next: r.giftPath,
    publicUrl: r.publicUrl,
  });
}

async function gift(db: Db, r: Extract<LinkRequest, { kind: "gift" }>): Promise<void> {
  await transaction(db, async (trx) => {
    const member =
      (await findMemberByEmail(trx, r.email)) ??
      (await createMember(
        trx,
        { email: r.email, locale: toLocale(r.locale), status: "pending", emailOptIn: false, source: "gift" },
        "system",
      ));
    const link = await createLink(trx, {
      email: member.email,
      memberId: member.id,
      purpose: "login",
      redirectTo: r.next,
    });
    await sendLinkMail(trx, { kind: "login", linkId: link.id });
  });
}

async function login(db: Db, r: Extract<LinkRequest, { kind: "login" }>): Promise<void> {
  const member = await findMemberByEmail(db, r.email);
  if (!member) return;
  await transaction(db, async (trx) => {
    const link = await createLink(trx, {
      email: member.email,
      memberId: member.id,
      purpose: "login",
      redirectTo: r.next,
    });
    await sendLinkMail(trx, { kind: "login", linkId: link.id });
  });
}

async function join(db: Db, r: Extract<LinkRequest, { kind: "join" }>): Promise<void> {
  const known = await findMemberByEmail(db, r.email);
  try {
    await transaction(db, async (trx) => {
      if (known && known.status === "active") {
        // Someone joins with an address we know: mail its owner a login link.
        const link = await createLink(trx, {
          email: known.email,
          memberId: known.id,
          purpose: "login",
          redirectTo: r.next,
        });
        await sendLinkMail(trx, { kind: "already", linkId: link.id });
        return;
      }
      const member =
        known ??
        (await createMember(
          trx,
          {
            email: r.email,
            name: r.name,
            locale: toLocale(r.locale),
            status: "pending",
            emailOptIn: false,
            source: "signup",
            ip: r.ip,
          },
          "member",
        ));
      const link = await createLink(trx, {
        email: member.email,
        memberId: member.id,
        purpose: "confirm",
        redirectTo: r.next,
        data: r.intent,
      });
      await sendLinkMail(trx, { kind: "confirm", linkId: link.id });
    });
  } catch (err) {
    // A simultaneous join with the same address created the member first: that request's email covers it.
    if (!(err instanceof AppError && err.code === "member_exists")) throw err;
  }
}

export function registerLinkRequestJob(): void {
  registerJobHandler(linkRequestJob, async (payload, { db, jobId }) => {
    const r = payload as LinkRequest;
    if (r.kind === "login") await login(db, r);
    else if (r.kind === "gift") await gift(db, r);
    else await join(db, r);
    // The request carried an address and a name: once handled, the finished job keeps neither.
    await db.updateTable("jobs").set({ payload: "{}" }).where("id", "=", jobId).execute();
  });
}

/** Erasure: a request still waiting for the worker must not bring the address back (erase hook). */
export async function dropPendingLinkRequests(trx: Db, member: { email: string }): Promise<void> {
  const pending = await trx
    .selectFrom("jobs")
    .select(["id", "payload"])
    .where("type", "=", linkRequestJob)
    .where("state", "in", ["queued", "running"])
    .execute();
  const ids = pending
    .filter((j) => (JSON.parse(j.payload) as { email?: string }).email === member.email)
    .map((j) => j.id);
  if (ids.length) await trx.deleteFrom("jobs").where("id", "in", ids).execute();
}
