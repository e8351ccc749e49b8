import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { readForm } from "../../platform/http/forms.ts";
import { Checkbox, CsrfField } from "../../platform/views/components.tsx";
import { dripEmailsOff } from "./drip-mails.ts";
import { runAsMember } from "./admin-helpers.ts";
import { setCourseEmails } from "./operations/student.ts";
import { filterAccessible } from "../access/index.ts";
import { registerAccountExport, registerAccountSection } from "../members/index.ts";
import { courseResource } from "./queries.ts";
import { learnUrl } from "./student-views.tsx";

/** "My courses" on the account page: every published or archived course the member may open. */
export function registerAccountCourses(): void {
  registerAccountSection(
    async (c, member) => {
      const t = tr(c);
      const db = c.var.services.db;
      const courses = await db
        .selectFrom("courses")
        .select(["id", "slug", "title", "audience"])
        .where("status", "in", ["published", "archived"])
        .orderBy("title")
        .execute();
      const mine = await filterAccessible(
        db,
        { kind: "member", memberId: member.id },
        courses.map((k) => ({ ...courseResource(k), course: k })),
      );
      if (mine.length === 0) return null;
      return (
        <section class="card account-courses" aria-labelledby="account-courses">
          <h2 id="account-courses">{t("courses.account.title")}</h2>
          <ul class="plain-list">
            {mine.map((r) => (
              <li>
                <a href={learnUrl(r.course.slug)}>{r.course.title}</a>
              </li>
            ))}
          </ul>
          <form method="post" action="/account/course-emails" id="course-emails" class="stack">
            <CsrfField c={c} />
            <Checkbox
              c={c}
              name="drip"
              label={t("courses.prefs.drip")}
              checked={!(await dripEmailsOff(db, member.id))}
            />
            <div>
              <button type="submit" class="secondary">
                {t("courses.prefs.save")}
              </button>
            </div>
          </form>
        </section>
      );
    },
    { id: "courses", order: 30 },
  );
}

/** The member's courses data in "download my data": enrolments, progress, quiz attempts, certificates, stalls and answers, ratings, drip emails. */
export function registerCoursesExport(): void {
  registerAccountExport("courses", async (db, member) => {
    const [enrolments, progress, quizAttempts, certificates, stalls, ratings, dripMails, optouts] = await Promise.all([
      db.selectFrom("course_enrolments").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("lesson_progress").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("quiz_attempts").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("course_certificates").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("course_stalls").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("course_ratings").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("course_drip_mails").selectAll().where("member_id", "=", member.id).execute(),
      db.selectFrom("course_mail_optouts").selectAll().where("member_id", "=", member.id).execute(),
    ]);
    return {
      enrolments,
      progress,
      quiz_attempts: quizAttempts.map((a) => ({ ...a, answers: JSON.parse(a.answers) as unknown })),
      certificates,
      stalls,
      ratings,
      drip_mails: dripMails,
      drip_emails_off: optouts,
    };
  });
}

/** The account page's "email me when a new part opens" switch. */
export function accountRoutes(app: Hono<AppEnv>): void {
  app.post("/account/course-emails", async (c) => {
    const form = await readForm(c);
    await runAsMember(c, setCourseEmails, { drip: form.drip });
    return c.redirect("/account?saved=1#course-emails", 303);
  });
}
