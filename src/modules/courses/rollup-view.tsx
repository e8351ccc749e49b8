import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import type { Funnel } from "./funnel.ts";
import { tCount } from "../../platform/i18n/index.ts";
import type { Course } from "./queries.ts";
import type { StallRollup } from "./stalls.ts";

/** Beside the funnel: what the followed-up students answered, per lesson, with the headline of the worst lesson. */

const pct = (locale: string, share: number) =>
  new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(share);

export function StallRollupView(p: {
  c: AppContext;
  course: Course;
  f: Funnel;
  rollup: Map<string | null, StallRollup>;
}) {
  const t = tr(p.c);
  const L = p.c.var.locale;
  const reasonLabel = (r: string) => r || t("courses.rollup.free_text");
  const rows = p.f.lessons
    .map((l) => ({ l, g: p.rollup.get(l.lessonId) }))
    .filter((x): x is { l: (typeof x)["l"]; g: StallRollup } => !!x.g && x.g.stalls > 0);
  const answered = rows.filter((r) => r.g.answered > 0);
  const top = [...answered].sort((a, b) => b.l.stopped - a.l.stopped)[0];
  return (
    <section class="stall-rollup" aria-labelledby="rollup-title">
      <h2 id="rollup-title">{t("courses.rollup.title")}</h2>
      {!p.course.stall_enabled && <p class="muted">{t("courses.rollup.loop_off")}</p>}
      {top && (
        <p class="notice" data-rollup-headline>
          {t("courses.rollup.headline", {
            share: pct(L, top.l.stoppedShare),
            lesson: top.l.title,
            reason: reasonLabel(top.g.reasons[0]!.reason),
          })}
        </p>
      )}
      {rows.length === 0 ? (
        <p class="muted">{t("courses.rollup.none", { n: p.course.stall_days })}</p>
      ) : (
        <>
          <p class="small muted">{t("courses.rollup.intro")}</p>
          <div class="table-wrap">
            <table class="funnel-table rollup-table">
              <thead>
                <tr>
                  <th scope="col">{t("courses.rollup.lesson")}</th>
                  <th scope="col">{t("courses.rollup.stopped")}</th>
                  <th scope="col">{t("courses.rollup.stalls")}</th>
                  <th scope="col">{t("courses.rollup.answers")}</th>
                  <th scope="col">{t("courses.rollup.reasons")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ l, g }) => (
                  <tr data-lesson={l.lessonId}>
                    <td>{l.title}</td>
                    <td>{pct(L, l.stoppedShare)}</td>
                    <td>{g.stalls}</td>
                    <td>{g.answered}</td>
                    <td>
                      <ul class="plain-list small">
                        {g.reasons.slice(0, 4).map((r) => (
                          <li>
                            {reasonLabel(r.reason)} — {pct(L, g.answered ? r.count / g.answered : 0)}
                          </li>
                        ))}
                        {g.comments.slice(0, 3).map((cm) => (
                          <li class="muted">« {cm} »</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export function RatingsView(p: {
  c: AppContext;
  ratings: { count: number; average: number | null; recent: { rating: number; comment: string }[] };
}) {
  const t = tr(p.c);
  const L = p.c.var.locale;
  return (
    <section class="course-ratings" aria-labelledby="ratings-title">
      <h2 id="ratings-title">{t("courses.survey.admin_title")}</h2>
      {p.ratings.count === 0 || p.ratings.average === null ? (
        <p class="muted">{t("courses.survey.none")}</p>
      ) : (
        <>
          <p class="lead" data-rating-average>
            {t("courses.survey.average", {
              avg: new Intl.NumberFormat(L, { maximumFractionDigits: 1 }).format(p.ratings.average),
            })}{" "}
            · {tCount(L, "courses.survey.count", p.ratings.count)}
          </p>
          <ul class="plain-list">
            {p.ratings.recent
              .filter((r) => r.comment)
              .slice(0, 8)
              .map((r) => (
                <li>
                  <strong>{r.rating}/5</strong> — {r.comment}
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
