import { transaction, type Db } from "../../platform/db/index.ts";
import { t, toLocale } from "../../platform/i18n/index.ts";
import { newId } from "../../platform/ids.ts";
import { queueMail, registerMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { membersWithAccess } from "../access/index.ts";
import { getMember, type Member } from "../members/index.ts";
import { unlockAt } from "./drip.ts";
import { recordDripEmails } from "./events.ts";
import { courseResource, inTransaction } from "./queries.ts";
import { DAY_MS } from "./stalls.ts";

/**
 * "A new part is open" emails. A section that drips (N days after
 * enrolment, or on a date) sends each student one email when it opens for
 * them, in their time zone; a row per (section, enrolment) makes it once,
 * written with its mail job in one transaction. Only sections opened in the
 * last week are mailed (turning the feature on never floods old students).
 * A member can turn these emails off from their account.
 */

export const DRIP_MAIL_WINDOW_MS = 7 * DAY_MS;
const BATCH = 200;

export async function dripEmailsOff(db: Db, memberId: string): Promise<boolean> {
  const r = await db
    .selectFrom("course_mail_optouts")
    .select("member_id")
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  return !!r;
}

export async function setDripEmails(db: Db, memberId: string, on: boolean, at: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const r = on
      ? await trx.deleteFrom("course_mail_optouts").where("member_id", "=", memberId).executeTakeFirst()
      : await trx
          .insertInto("course_mail_optouts")
          .values({ member_id: memberId, created_at: at })
          .onConflict((oc) => oc.column("member_id").doNothing())
          .executeTakeFirst();
    const changed = Number("numDeletedRows" in r ? r.numDeletedRows : (r.numInsertedOrUpdatedRows ?? 0)) > 0;
    if (changed) await recordDripEmails(trx, memberId, on, at);
  });
}

/** Queues the emails of sections that opened by `nowMs` (and in the last week); returns how many. */
export async function queueDripMails(db: Db, nowMs: number): Promise<number> {
  const now = new Date(nowMs).toISOString();
  const courses = await db.selectFrom("courses").selectAll().where("status", "!=", "draft").orderBy("id").execute();
  let queued = 0;
  for (const course of courses) {
    const sections = await db
      .selectFrom("course_sections")
      .selectAll()
      .where("course_id", "=", course.id)
      .where("drip_kind", "!=", "immediate")
      .execute();
    if (sections.length === 0) continue;
    let cursor = "";
    for (;;) {
      const batch = await db
        .selectFrom("course_enrolments")
        .select(["id", "member_id", "enrolled_at"])
        .where("course_id", "=", course.id)
        .where("completed_at", "is", null)
        .where("id", ">", cursor)
        .orderBy("id")
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      cursor = batch[batch.length - 1]!.id;
      // Within a day of opening by UTC reckoning: the student's zone moves it by less than that.
      const near = batch.flatMap((e) =>
        sections
          .filter((s) => {
            const est = Date.parse(unlockAt(s, e.enrolled_at, "UTC"));
            return est <= nowMs + DAY_MS && est >= nowMs - DRIP_MAIL_WINDOW_MS - DAY_MS;
          })
          .map((s) => ({ e, s })),
      );
      if (near.length === 0) continue;
      const memberIds = [...new Set(near.map((n) => n.e.member_id))];
      const [holders, optouts, done] = await Promise.all([
        membersWithAccess(db, memberIds, courseResource(course), now),
        db.selectFrom("course_mail_optouts").select("member_id").where("member_id", "in", memberIds).execute(),
        db
          .selectFrom("course_drip_mails")
          .select(["section_id", "enrolment_id"])
          .where("enrolment_id", "in", [...new Set(near.map((n) => n.e.id))])
          .execute(),
      ]);
      const off = new Set(optouts.map((o) => o.member_id));
      const sent = new Set(done.map((d) => `${d.section_id}:${d.enrolment_id}`));
      const members = new Map<string, Member | undefined>();
      const due: { e: (typeof near)[number]["e"]; sectionId: string }[] = [];
      for (const { e, s } of near) {
        if (!holders.has(e.member_id) || off.has(e.member_id) || sent.has(`${s.id}:${e.id}`)) continue;
        if (!members.has(e.member_id)) members.set(e.member_id, await getMember(db, e.member_id));
        const m = members.get(e.member_id);
        if (!m || m.status !== "active") continue;
        const at = Date.parse(unlockAt(s, e.enrolled_at, m.timeZone));
        // Open now, opened this week, and not already open at enrolment (a cohort date in the past).
        if (at <= nowMs && at > nowMs - DRIP_MAIL_WINDOW_MS && at > Date.parse(e.enrolled_at))
          due.push({ e, sectionId: s.id });
      }
      if (due.length === 0) continue;
      await transaction(db, async (trx) => {
        for (const d of due) {
          const id = newId();
          const r = await trx
            .insertInto("course_drip_mails")
            .values({ id, section_id: d.sectionId, enrolment_id: d.e.id, member_id: d.e.member_id, queued_at: now })
            .onConflict((oc) => oc.columns(["section_id", "enrolment_id"]).doNothing())
            .executeTakeFirst();
          if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) continue;
          await queueMail(trx, "courses.drip", { dripId: id }, `courses:drip:${id}`);
          queued += 1;
        }
      });
    }
  }
  return queued;
}

export function registerDripMail(): void {
  registerMail("courses.drip", async ({ db, publicUrl }, p) => {
    const drip = await db
      .selectFrom("course_drip_mails")
      .selectAll()
      .where("id", "=", String(p.dripId))
      .executeTakeFirst();
    if (!drip) return null;
    const [section, member] = await Promise.all([
      db.selectFrom("course_sections").selectAll().where("id", "=", drip.section_id).executeTakeFirst(),
      getMember(db, drip.member_id),
    ]);
    if (!section || !member || member.status !== "active" || (await dripEmailsOff(db, member.id))) return null;
    const course = await db.selectFrom("courses").selectAll().where("id", "=", section.course_id).executeTakeFirst();
    if (!course) return null;
    const first = await db
      .selectFrom("course_lessons")
      .select("id")
      .where("section_id", "=", section.id)
      .orderBy("position")
      .executeTakeFirst();
    const locale = toLocale(member.locale);
    const vars = { section: section.title, course: course.title, url: `${publicUrl}/account#course-emails` };
    const site = await getSiteSettings(db);
    const { html, text } = renderEmail({
      locale,
      siteName: site.name,
      accentColor: site.accentColor,
      heading: t(locale, "courses.drip.mail_heading"),
      paragraphs: [t(locale, "courses.drip.mail_body", vars)],
      button: {
        label: t(locale, "courses.drip.mail_button"),
        url: `${publicUrl}/learn/${course.slug}${first ? `/${first.id}` : ""}`,
      },
      note: t(locale, "courses.drip.mail_note", vars),
    });
    return { to: member.email, subject: t(locale, "courses.drip.mail_subject", vars), html, text, fromName: site.name };
  });
}
