import { tCount } from "../../platform/i18n/index.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Select,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import type { Values } from "./admin-views.tsx";
import { isCorrect, type Answers, type Question, type Quiz } from "./quizzes.ts";
import type { QuizAttemptsTable } from "./tables.ts";

/** The quiz under a lesson (student) and its editor (creator). */

export interface QuizBlockProps {
  c: AppContext;
  action: string;
  quiz: Quiz;
  questions: Question[];
  attempts: QuizAttemptsTable[];
  /** The attempt to show with its corrections (the latest, after a submission). */
  shown: QuizAttemptsTable | null;
  errors?: Errors;
}

export function QuizBlock(p: QuizBlockProps) {
  const t = tr(p.c);
  const passed = p.attempts.some((a) => a.passed === 1);
  const left = p.quiz.max_attempts === 0 ? null : Math.max(0, p.quiz.max_attempts - p.attempts.length);
  const canTry = !passed && (left === null || left > 0);
  const answers = p.shown ? (JSON.parse(p.shown.answers) as Answers) : null;
  return (
    <section class="card quiz" aria-labelledby="quiz-title">
      <h2 id="quiz-title">{p.quiz.title}</h2>
      <p class="small muted">
        {t("courses.quiz.pass_mark", { pct: p.quiz.pass_pct })}
        {left !== null && ` · ${tCount(p.c.var.locale, "courses.quiz.attempts_left", left)}`}
      </p>
      {p.shown && (
        <p class={p.shown.passed ? "notice" : "notice warn"} role="status">
          {t(p.shown.passed ? "courses.quiz.passed" : "courses.quiz.failed", { pct: p.shown.score_pct })}
        </p>
      )}
      {answers && (
        <ol class="quiz-results">
          {p.questions.map((q) => {
            const ok = isCorrect(q, answers[q.id]);
            return (
              <li>
                <p>
                  <strong>{q.prompt}</strong> — {ok ? `✓ ${t("courses.quiz.right")}` : `✗ ${t("courses.quiz.wrong")}`}
                </p>
                {q.explanation && <p class="small">{q.explanation}</p>}
              </li>
            );
          })}
        </ol>
      )}
      <FormErrors c={p.c} errors={p.errors} />
      {canTry && (
        <form method="post" action={p.action} class="stack">
          <CsrfField c={p.c} />
          {p.questions.map((q, i) => (
            <fieldset class="quiz-question">
              <legend>
                {i + 1}. {q.prompt}
              </legend>
              {q.kind === "short" ? (
                <input type="text" name={`q_${q.id}`} maxlength={500} aria-label={q.prompt} />
              ) : (
                q.choices.map((ch) => (
                  <label class="check">
                    <input type={q.kind === "single" ? "radio" : "checkbox"} name={`q_${q.id}`} value={ch.id} />
                    <span>{ch.label}</span>
                  </label>
                ))
              )}
            </fieldset>
          ))}
          <div>
            <button type="submit">{t("courses.quiz.submit")}</button>
          </div>
        </form>
      )}
    </section>
  );
}

export function quizValues(q: Quiz | null): Values {
  return {
    title: q?.title ?? "",
    passPct: String(q?.pass_pct ?? 70),
    maxAttempts: String(q?.max_attempts ?? 0),
    required: !q || q.required ? "on" : "",
  };
}

export function QuizEditor(p: {
  c: AppContext;
  base: string;
  quiz: Quiz | null;
  questions: Question[];
  values: Values;
  questionValues: Values;
  errors?: Errors;
  questionErrors?: Errors;
}) {
  const t = tr(p.c);
  return (
    <section class="admin-section quiz-editor" aria-labelledby="quiz-editor-title">
      <h2 id="quiz-editor-title">{t("courses.quiz.editor")}</h2>
      <form method="post" action={`${p.base}/quiz`} class="admin-form stack-tight">
        <CsrfField c={p.c} />
        <FormErrors c={p.c} errors={p.errors} />
        <Field c={p.c} name="title" label={t("courses.quiz.title")} value={p.values.title} errors={p.errors} required />
        <Field
          c={p.c}
          name="passPct"
          type="number"
          label={t("courses.quiz.pass_pct")}
          value={p.values.passPct}
          errors={p.errors}
          required
        />
        <Field
          c={p.c}
          name="maxAttempts"
          type="number"
          label={t("courses.quiz.max_attempts")}
          hint={t("courses.quiz.max_attempts_hint")}
          value={p.values.maxAttempts}
          errors={p.errors}
          required
        />
        <Checkbox c={p.c} name="required" label={t("courses.quiz.required")} checked={p.values.required === "on"} />
        <div>
          <button type="submit" class="secondary">
            {p.quiz ? t("courses.quiz.save") : t("courses.quiz.create")}
          </button>
        </div>
      </form>
      {p.quiz && (
        <>
          <ol class="quiz-questions">
            {p.questions.map((q) => (
              <li>
                <strong>{q.prompt}</strong> <span class="badge">{t(`courses.quiz.kind_${q.kind}`)}</span>
                <ul class="small">
                  {q.kind === "short"
                    ? (JSON.parse(q.accepted) as string[]).map((a) => <li>✓ {a}</li>)
                    : q.choices.map((ch) => <li>{ch.correct ? `✓ ${ch.label}` : ch.label}</li>)}
                </ul>
                <form method="post" action={`${p.base}/quiz/questions/${q.id}/delete`} class="inline-form">
                  <CsrfField c={p.c} />
                  <button type="submit" class="link danger-link small">
                    {t("courses.quiz.delete_question")}
                  </button>
                </form>
              </li>
            ))}
          </ol>
          <form method="post" action={`${p.base}/quiz/questions`} class="admin-form stack-tight" id="new-question">
            <CsrfField c={p.c} />
            <FormErrors c={p.c} errors={p.questionErrors} />
            <Select
              c={p.c}
              name="kind"
              label={t("courses.quiz.kind")}
              value={p.questionValues.kind ?? "single"}
              options={(["single", "multiple", "short"] as const).map((k) => ({
                value: k,
                label: t(`courses.quiz.kind_${k}`),
              }))}
            />
            <TextArea
              c={p.c}
              name="prompt"
              label={t("courses.quiz.prompt")}
              value={p.questionValues.prompt}
              errors={p.questionErrors}
              rows={2}
              required
            />
            <TextArea
              c={p.c}
              name="choices"
              label={t("courses.quiz.choices")}
              hint={t("courses.quiz.choices_hint")}
              value={p.questionValues.choices}
              errors={p.questionErrors}
              rows={5}
            />
            <TextArea
              c={p.c}
              name="explanation"
              label={t("courses.quiz.explanation")}
              value={p.questionValues.explanation}
              errors={p.questionErrors}
              rows={2}
            />
            <div>
              <button type="submit" class="secondary">
                {t("courses.quiz.add_question")}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
