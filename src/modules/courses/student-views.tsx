/** @jsxImportSource #html-jsx */
import { assetUrl } from "../../platform/views/assets.ts";
import { raw } from "hono/html";
import { escapeToBuffer } from "hono/utils/html";
import type { Child } from "hono/jsx";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate, formatDateTime } from "../../platform/i18n/index.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import type { Lesson, LessonState, Outline, StudentView } from "./queries.ts";

/** What a student sees: the course home (progress, continue, locked sections) and the lesson page. */

export const learnUrl = (slug: string) => `/learn/${slug}`;
export const lessonUrl = (slug: string, lessonId: string) => `/learn/${slug}/${lessonId}`;

function pct(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

export function ProgressBar(p: { c: AppContext; done: number; total: number; label: string }) {
  const t = tr(p.c);
  const value = pct(p.done, p.total);
  return (
    <div class="course-progress">
      <progress max={100} value={value} aria-label={p.label}>
        {value}%
      </progress>
      <span class="small muted">{t("courses.progress.count", { done: p.done, total: p.total, pct: value })}</span>
    </div>
  );
}

/** Escaped for HTML text and attribute values, as JSX and Hono's html`` escape them. */
function esc(text: string): string {
  const buffer: [string] = [""];
  escapeToBuffer(text, buffer);
  return buffer[0];
}

/**
 * One lesson of an outline list. A page lists every lesson of the course, so
 * this builds its string directly rather than through JSX (an element and its
 * attributes cost more than the text they print); every value is escaped as
 * JSX would, and the bytes are those the html`` template printed before.
 */
function LessonLink(p: { c: AppContext; slug: string; s: LessonState; current?: string; zone: string }) {
  const t = tr(p.c);
  const { lesson } = p.s;
  const mark = p.s.completed ? "✓" : p.s.open ? "○" : "–";
  const status = esc(
    p.s.completed
      ? t("courses.lesson.done")
      : p.s.open
        ? t("courses.lesson.todo")
        : p.s.opensAt
          ? t("courses.lesson.opens", { date: formatDateTime(p.c.var.locale, p.s.opensAt, p.zone) })
          : t("courses.lesson.after_previous"),
  );
  const cls = p.s.completed ? "lesson-item done" : p.s.open ? "lesson-item" : "lesson-item locked";
  const name = esc(lesson.title);
  const title = p.s.open
    ? `<a href="${esc(lessonUrl(p.slug, lesson.id))}"${p.current === lesson.id ? ' aria-current="page"' : ""}>${name}</a>`
    : `<span>${name}</span>`;
  const when = p.s.open ? "" : `<span class="small muted lesson-when">${status}</span>`;
  return raw(`<li class="${cls}">
    <span class="lesson-mark" aria-hidden="true">${mark}</span>${title}<span class="visually-hidden"> — ${status}</span
    >${when}
  </li>`);
}

export function CourseHome(p: {
  c: AppContext;
  o: Outline;
  view: StudentView;
  zone: string;
  certificateCode: string | null;
  /** The end-of-course survey, once finished. */
  survey?: Child | null;
}) {
  const t = tr(p.c);
  const { course } = p.o;
  const v = p.view;
  return (
    <div class="course-home narrow">
      <p class="eyebrow">{t("courses.home.eyebrow")}</p>
      <h1>{course.title}</h1>
      {course.subtitle && <p class="lead">{course.subtitle}</p>}
      <ProgressBar c={p.c} done={v.done} total={v.lessons.length} label={t("courses.progress.overall")} />
      {v.next ? (
        <p>
          <a class="btn" href={lessonUrl(course.slug, v.next.id)}>
            {v.enrolment.started_at ? t("courses.home.continue") : t("courses.home.start")} — {v.next.title}
          </a>
        </p>
      ) : (
        v.enrolment.completed_at && <p class="notice">{t("courses.home.completed")}</p>
      )}
      {p.certificateCode && (
        <div class="card certificate-box">
          <h2>{t("courses.certificate.title")}</h2>
          <p>
            <a class="btn secondary" href={`${learnUrl(course.slug)}/certificate.pdf`}>
              {t("courses.certificate.download")}
            </a>{" "}
            <a href={`/certificates/${p.certificateCode}`}>{t("courses.certificate.share")}</a>
          </p>
        </div>
      )}
      {p.survey}
      <ol class="course-sections">
        {v.sections.map((s) => (
          <li class="card course-section">
            <h2>{s.section.title}</h2>
            {s.opensAt ? (
              <p class="small muted">
                {t("courses.section.opens", { date: formatDateTime(p.c.var.locale, s.opensAt, p.zone) })}
              </p>
            ) : (
              <ProgressBar c={p.c} done={s.done} total={s.lessons.length} label={s.section.title} />
            )}
            <ol class="lesson-list">
              {s.lessons.map((l) => (
                <LessonLink c={p.c} slug={course.slug} s={l} zone={p.zone} />
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </div>
  );
}

export interface LessonPageProps {
  c: AppContext;
  o: Outline;
  lesson: Lesson;
  /** Null when the viewer is not a student (a free preview, or staff previewing). */
  view: StudentView | null;
  zone: string;
  media: LessonMedia;
  /** The lesson's quiz block, when it has one and the viewer is a student. */
  quiz?: Child | null;
  /** Seconds into the video or audio where this student stopped (resumed there). */
  position?: number;
}

/** Signed, expiring URLs of the lesson's files for this viewer (see media.ts). */
export interface LessonMedia {
  video: string | null;
  audio: string | null;
  attachments: { name: string; size: number; url: string }[];
}

function neighbours(o: Outline, view: StudentView | null, lesson: Lesson) {
  const i = o.lessons.findIndex((l) => l.id === lesson.id);
  const open = (l: Lesson | undefined) =>
    l && (!view || view.lessons.find((s) => s.lesson.id === l.id)?.open) ? l : null;
  return { prev: open(o.lessons[i - 1]), next: open(o.lessons[i + 1]) };
}

/** A student's player reports its position (resume) to the lesson; previews do not. */
function resumeAttrs(p: LessonPageProps, slug: string): Record<string, string> {
  if (!p.view) return {};
  return {
    "data-resume-url": `${lessonUrl(slug, p.lesson.id)}/position`,
    "data-csrf": p.c.var.csrfToken,
    "data-position": String(p.position ?? 0),
  };
}

export function LessonPage(p: LessonPageProps) {
  const t = tr(p.c);
  const { course } = p.o;
  const state = p.view?.lessons.find((s) => s.lesson.id === p.lesson.id);
  const { prev, next } = neighbours(p.o, p.view, p.lesson);
  const section = p.o.sections.find((s) => s.id === p.lesson.section_id);
  return (
    <div class="lesson-layout">
      <nav class="lesson-nav" aria-label={t("courses.lesson.outline")}>
        <details open>
          <summary>
            <a href={p.view ? learnUrl(course.slug) : `/courses/${course.slug}`}>{course.title}</a>
          </summary>
          {p.view && (
            <ProgressBar
              c={p.c}
              done={p.view.done}
              total={p.view.lessons.length}
              label={t("courses.progress.overall")}
            />
          )}
          {p.view &&
            p.view.sections.map((s) => (
              <div class="lesson-nav-section">
                <h2 class="small">{s.section.title}</h2>
                <ol class="lesson-list">
                  {s.lessons.map((l) => (
                    <LessonLink c={p.c} slug={course.slug} s={l} current={p.lesson.id} zone={p.zone} />
                  ))}
                </ol>
              </div>
            ))}
        </details>
      </nav>
      <article class="lesson">
        {section && <p class="eyebrow">{section.title}</p>}
        <h1>{p.lesson.title}</h1>
        {!p.view && p.lesson.free_preview === 1 && <p class="badge ok">{t("courses.lesson.free_preview")}</p>}
        {p.lesson.video_url && !p.media.video && (
          <div class="lesson-embed">
            <iframe
              src={p.lesson.video_url}
              title={t("courses.lesson.embed_title")}
              loading="lazy"
              allow="fullscreen; picture-in-picture; encrypted-media"
              allowfullscreen
              referrerpolicy="strict-origin-when-cross-origin"
              sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
            ></iframe>
          </div>
        )}
        {p.media.video && (
          <video class="lesson-video" controls preload="metadata" src={p.media.video} {...resumeAttrs(p, course.slug)}>
            <a href={p.media.video}>{t("courses.lesson.video")}</a>
          </video>
        )}
        {p.media.audio && (
          <audio class="lesson-audio" controls preload="metadata" src={p.media.audio} {...resumeAttrs(p, course.slug)}>
            <a href={p.media.audio}>{t("courses.lesson.audio")}</a>
          </audio>
        )}
        {p.view && (p.media.video || p.media.audio) && (
          <script src={assetUrl("course-player.js" as "app.js")} defer></script>
        )}
        <div class="prose lesson-body">{raw(p.lesson.body_html)}</div>
        {p.media.attachments.length > 0 && (
          <section class="lesson-attachments" aria-labelledby="attachments-title">
            <h2 id="attachments-title">{t("courses.lesson.attachments")}</h2>
            <ul class="plain-list">
              {p.media.attachments.map((a) => (
                <li>
                  <a href={a.url} download>
                    {a.name}
                  </a>{" "}
                  <span class="muted small">
                    ({t("courses.size_kb", { n: Math.max(1, Math.round(a.size / 1024)) })})
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {p.quiz}
        {p.view && state && (
          <div class="lesson-complete">
            {state.completed ? (
              <p class="notice" role="status">
                ✓ {t("courses.lesson.completed")}
              </p>
            ) : (
              <form method="post" action={`${lessonUrl(course.slug, p.lesson.id)}/complete`} data-complete>
                <CsrfField c={p.c} />
                <button type="submit">{t("courses.lesson.mark_complete")}</button>
              </form>
            )}
          </div>
        )}
        {!p.view && p.lesson.free_preview === 1 && (
          <p class="card">
            {t("courses.lesson.preview_cta")} <a href={`/courses/${course.slug}`}>{t("courses.lesson.see_course")}</a>
          </p>
        )}
        <nav class="lesson-pager" aria-label={t("courses.lesson.pager")}>
          {prev ? (
            <a rel="prev" href={lessonUrl(course.slug, prev.id)}>
              ← {prev.title}
            </a>
          ) : (
            <span />
          )}
          {next && p.view && (
            <a rel="next" href={lessonUrl(course.slug, next.id)}>
              {next.title} →
            </a>
          )}
        </nav>
      </article>
    </div>
  );
}

/** A lesson the student cannot open yet (drip or "finish the previous lesson first"), or at all. */
export function LockedLesson(p: {
  c: AppContext;
  courseSlug: string;
  title: string;
  opensAt: string | null;
  zone: string;
  reason: "drip" | "previous" | "access";
}) {
  const t = tr(p.c);
  const message =
    p.reason === "drip" && p.opensAt
      ? t("courses.lesson.opens_on", { date: formatDate(p.c.var.locale, p.opensAt, p.zone) })
      : p.reason === "previous"
        ? t("courses.lesson.finish_previous")
        : t("courses.lesson.no_access");
  return (
    <div class="narrow locked-lesson">
      <h1>{p.title}</h1>
      <p class="notice warn">{message}</p>
      <p>
        <a href={p.reason === "access" ? `/courses/${p.courseSlug}` : learnUrl(p.courseSlug)}>
          {p.reason === "access" ? t("courses.lesson.see_course") : t("courses.lesson.back_home")}
        </a>
      </p>
    </div>
  );
}
