import { t, toLocale, type Locale } from "../../platform/i18n/index.ts";
import { registerMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { getMember } from "../members/index.ts";
import type { Course } from "./queries.ts";
import { stallAnswerPath, stallChoices } from "./stalls.ts";

/**
 * The stalled student's email: the creator's words (or the default ones in
 * the student's language), with the first name, the lesson and a link
 * straight back to it, then "what stopped you?" with one link per answer.
 * Rendered when the job runs from the stall's id; nothing is sent when the
 * student has answered, finished, progressed since, or was erased.
 */

export interface StallMailData {
  locale: Locale;
  firstName: string;
  courseTitle: string;
  lessonTitle: string;
  lessonUrl: string;
  /** The answer page, and the page with each choice picked. */
  answerUrl: string;
  choiceUrl: (index: number) => string;
}

const placeholders: Record<string, (d: StallMailData) => string> = {
  prénom: (d) => d.firstName,
  prenom: (d) => d.firstName,
  first_name: (d) => d.firstName,
  leçon: (d) => d.lessonTitle,
  lecon: (d) => d.lessonTitle,
  lesson: (d) => d.lessonTitle,
  formation: (d) => d.courseTitle,
  course: (d) => d.courseTitle,
  lien: (d) => d.lessonUrl,
  link: (d) => d.lessonUrl,
};

/** Fills {prénom}, {leçon}, {formation}, {lien} (or their English names); without a first name, "Bonjour {prénom}," reads "Bonjour,". */
export function fillTemplate(template: string, d: StallMailData): string {
  const named = d.firstName ? template : template.replace(/[ \u00a0]?\{(?:prénom|prenom|first_name)\}/giu, "");
  return named.replace(/\{([\p{L}_]+)\}/giu, (m, k: string) => placeholders[k.toLowerCase()]?.(d) ?? m);
}

export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] ?? "";
}

export interface ComposedStallMail {
  subject: string;
  paragraphs: string[];
  button: { label: string; url: string };
  links: { title: string; items: { label: string; url: string }[] };
}

export function composeStallMail(
  course: Pick<Course, "stall_subject" | "stall_body" | "stall_choices" | "language">,
  d: StallMailData,
): ComposedStallMail {
  const subject = course.stall_subject || t(d.locale, "courses.stall.default_subject");
  const body = course.stall_body || t(d.locale, "courses.stall.default_body");
  return {
    subject: fillTemplate(subject, d).replace(/\s+/g, " ").trim(),
    paragraphs: fillTemplate(body, d)
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
      .filter(Boolean),
    button: { label: t(d.locale, "courses.stall.mail_button"), url: d.lessonUrl },
    links: {
      title: t(d.locale, "courses.stall.question"),
      items: [
        ...stallChoices(course).map((label, i) => ({ label, url: d.choiceUrl(i) })),
        { label: t(d.locale, "courses.stall.other_link"), url: d.answerUrl },
      ],
    },
  };
}

export function registerStallMail(): void {
  registerMail("courses.stall", async ({ db, publicUrl, secret }, p) => {
    const stall = await db
      .selectFrom("course_stalls")
      .selectAll()
      .where("id", "=", String(p.stallId))
      .executeTakeFirst();
    if (!stall || stall.answered_at) return null;
    const [enrolment, course, member] = await Promise.all([
      db.selectFrom("course_enrolments").selectAll().where("id", "=", stall.enrolment_id).executeTakeFirst(),
      db.selectFrom("courses").selectAll().where("id", "=", stall.course_id).executeTakeFirst(),
      getMember(db, stall.member_id),
    ]);
    if (!enrolment || !course || !member || member.status !== "active") return null;
    // Moved on since the stall was found (or the creator turned the loop off): nothing to ask any more.
    if (enrolment.completed_at || (enrolment.last_progress_at ?? enrolment.enrolled_at) !== stall.since) return null;
    if (!course.stall_enabled) return null;
    const lesson = stall.lesson_id
      ? await db.selectFrom("course_lessons").select("title").where("id", "=", stall.lesson_id).executeTakeFirst()
      : undefined;
    const locale = toLocale(member.locale);
    const lessonPath = stall.lesson_id ? `/learn/${course.slug}/${stall.lesson_id}` : `/learn/${course.slug}`;
    const m = composeStallMail(course, {
      locale,
      firstName: firstNameOf(member.name),
      courseTitle: course.title,
      lessonTitle: lesson?.title ?? course.title,
      lessonUrl: publicUrl + lessonPath,
      answerUrl: publicUrl + stallAnswerPath(secret, stall.id),
      choiceUrl: (i) => publicUrl + stallAnswerPath(secret, stall.id, i),
    });
    const site = await getSiteSettings(db);
    const { html, text } = renderEmail({
      locale,
      siteName: site.name,
      accentColor: site.accentColor,
      heading: course.title,
      paragraphs: m.paragraphs,
      button: m.button,
      links: m.links,
      note: t(locale, "courses.stall.mail_note"),
    });
    return { to: member.email, subject: m.subject, html, text, fromName: site.name };
  });
}
