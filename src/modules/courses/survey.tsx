import { z } from "zod";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { field } from "../../platform/http/validation.ts";
import { CsrfField, FormErrors, TextArea, type Errors } from "../../platform/views/components.tsx";
import { tCount } from "../../platform/i18n/index.ts";
import { learnUrl } from "./student-views.tsx";

/** The end-of-course survey on the course home: a rating 1–5 and a comment, once the course is finished. */

export const surveyInput = z.object({
  rating: z.string({ error: "validation.course_rating" }).regex(/^[1-5]$/, "validation.course_rating"),
  comment: field.longText(2000, { optional: true }),
});

export function SurveyBlock(p: {
  c: AppContext;
  slug: string;
  current: { rating: number; comment: string } | undefined;
  errors?: Errors;
}) {
  const t = tr(p.c);
  const L = p.c.var.locale;
  return (
    <section class="card course-survey" id="survey" aria-labelledby="survey-title">
      <h2 id="survey-title">{t("courses.survey.title")}</h2>
      {p.c.req.query("rated") === "1" && (
        <p class="notice" role="status">
          {t("courses.survey.thanks")}
        </p>
      )}
      {p.current && <p>{t("courses.survey.yours", { n: p.current.rating })}</p>}
      <form method="post" action={`${learnUrl(p.slug)}/rating`} class="stack">
        <CsrfField c={p.c} />
        <FormErrors c={p.c} errors={p.errors} />
        <fieldset class="survey-stars">
          <legend>{t("courses.survey.rating")}</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label class="check">
              <input type="radio" name="rating" value={String(n)} checked={p.current?.rating === n} />
              <span aria-label={tCount(L, "courses.survey.stars", n)}>{"★".repeat(n)}</span>
            </label>
          ))}
        </fieldset>
        <TextArea
          c={p.c}
          name="comment"
          label={t("courses.survey.comment")}
          value={p.current?.comment ?? ""}
          errors={p.errors}
          rows={3}
        />
        <div>
          <button type="submit">{t("courses.survey.send")}</button>
        </div>
      </form>
    </section>
  );
}
