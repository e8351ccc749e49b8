import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Select,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import type { Certificate } from "./certificates.ts";
import type { Course, Outline, OutlineSection } from "./queries.ts";

/** The creator's screens (JSX only; routes in admin.tsx). Forms are re-rendered with what was typed on error. */

export type Values = Record<string, string>;

export function courseValues(course: Course | null): Values {
  return {
    title: course?.title ?? "",
    subtitle: course?.subtitle ?? "",
    slug: course?.slug ?? "",
    description: course?.description_md ?? "",
    language: course?.language ?? "fr",
    status: course?.status ?? "draft",
    audience: course?.audience ?? "offers",
    sequential: course?.sequential ? "on" : "",
    signerName: course?.signer_name ?? "",
    stallDays: String(course?.stall_days ?? 14),
  };
}

export function CourseForm(p: { c: AppContext; action: string; values: Values; errors?: Errors; isNew: boolean }) {
  const t = tr(p.c);
  const v = p.values;
  return (
    <form method="post" action={p.action} class="admin-form stack">
      <CsrfField c={p.c} />
      <FormErrors c={p.c} errors={p.errors} />
      <Field
        c={p.c}
        name="title"
        label={t("courses.field.title")}
        value={v.title}
        errors={p.errors}
        required
        maxLength={200}
      />
      <Field
        c={p.c}
        name="subtitle"
        label={t("courses.field.subtitle")}
        value={v.subtitle}
        errors={p.errors}
        maxLength={300}
      />
      <Field
        c={p.c}
        name="slug"
        label={t("courses.field.slug")}
        hint={t("courses.field.slug_hint")}
        value={v.slug}
        errors={p.errors}
        maxLength={80}
      />
      <TextArea
        c={p.c}
        name="description"
        label={t("courses.field.description")}
        hint={t("courses.field.markdown_hint")}
        value={v.description}
        errors={p.errors}
        rows={8}
      />
      <Select
        c={p.c}
        name="language"
        label={t("courses.field.language")}
        value={v.language}
        errors={p.errors}
        options={[
          { value: "fr", label: "Français" },
          { value: "en", label: "English" },
        ]}
      />
      <Select
        c={p.c}
        name="status"
        label={t("courses.field.status")}
        value={v.status}
        errors={p.errors}
        options={(["draft", "published", "archived"] as const).map((s) => ({
          value: s,
          label: t(`courses.status.${s}`),
        }))}
      />
      <Select
        c={p.c}
        name="audience"
        label={t("courses.field.audience")}
        hint={t("courses.field.audience_hint")}
        value={v.audience}
        errors={p.errors}
        options={[
          { value: "offers", label: t("courses.audience.offers") },
          { value: "members", label: t("courses.audience.members") },
        ]}
      />
      <Checkbox c={p.c} name="sequential" label={t("courses.field.sequential")} checked={v.sequential === "on"} />
      <Field
        c={p.c}
        name="signerName"
        label={t("courses.field.signer")}
        hint={t("courses.field.signer_hint")}
        value={v.signerName}
        errors={p.errors}
        maxLength={120}
      />
      <Field
        c={p.c}
        name="stallDays"
        type="number"
        inputmode="numeric"
        label={t("courses.field.stall_days")}
        value={v.stallDays}
        errors={p.errors}
        required
      />
      <div>
        <button type="submit">{p.isNew ? t("courses.admin.create") : t("courses.admin.save")}</button>
      </div>
    </form>
  );
}

export function sectionValues(s: OutlineSection | null): Values {
  return {
    title: s?.title ?? "",
    dripKind: s?.drip_kind ?? "immediate",
    dripDays: s?.drip_days ? String(s.drip_days) : "",
    dripDate: s?.drip_date ?? "",
  };
}

export function SectionForm(p: { c: AppContext; action: string; values: Values; errors?: Errors; prefix: string }) {
  const t = tr(p.c);
  const v = p.values;
  return (
    <form method="post" action={p.action} class="admin-form stack-tight section-form">
      <CsrfField c={p.c} />
      <FormErrors c={p.c} errors={p.errors} />
      <Field
        c={p.c}
        name="title"
        label={t("courses.field.section_title")}
        value={v.title}
        errors={p.errors}
        required
        maxLength={200}
      />
      <Select
        c={p.c}
        name="dripKind"
        label={t("courses.field.drip")}
        value={v.dripKind}
        errors={p.errors}
        options={(["immediate", "after_days", "on_date"] as const).map((k) => ({
          value: k,
          label: t(`courses.drip.${k}`),
        }))}
      />
      <Field
        c={p.c}
        name="dripDays"
        type="number"
        inputmode="numeric"
        label={t("courses.field.drip_days")}
        value={v.dripDays}
        errors={p.errors}
      />
      <Field
        c={p.c}
        name="dripDate"
        type="date"
        label={t("courses.field.drip_date")}
        value={v.dripDate}
        errors={p.errors}
      />
      <div>
        <button type="submit" class="secondary">
          {p.prefix === "new" ? t("courses.admin.add_section") : t("courses.admin.save_section")}
        </button>
      </div>
    </form>
  );
}

function MoveButtons(p: { c: AppContext; action: string; first: boolean; last: boolean; label: string }) {
  const t = tr(p.c);
  return (
    <span class="move-buttons">
      <form method="post" action={p.action} class="inline-form">
        <CsrfField c={p.c} />
        <input type="hidden" name="direction" value="up" />
        <button
          type="submit"
          class="secondary small"
          disabled={p.first}
          aria-label={t("courses.admin.move_up", { item: p.label })}
        >
          ↑
        </button>
      </form>
      <form method="post" action={p.action} class="inline-form">
        <CsrfField c={p.c} />
        <input type="hidden" name="direction" value="down" />
        <button
          type="submit"
          class="secondary small"
          disabled={p.last}
          aria-label={t("courses.admin.move_down", { item: p.label })}
        >
          ↓
        </button>
      </form>
    </span>
  );
}

function dripLabel(c: AppContext, s: OutlineSection): string {
  const t = tr(c);
  if (s.drip_kind === "after_days") return t("courses.drip.after_n", { n: s.drip_days ?? 0 });
  if (s.drip_kind === "on_date") return t("courses.drip.on", { date: s.drip_date ?? "" });
  return t("courses.drip.immediate");
}

/** The course's sections and lessons, with their order buttons and per-section forms. */
export function OutlineEditor(p: {
  c: AppContext;
  o: Outline;
  sectionErrors?: { id: string; errors: Errors; values: Values };
}) {
  const t = tr(p.c);
  const base = `/admin/courses/${p.o.course.id}`;
  return (
    <section class="admin-section course-outline" aria-labelledby="outline-title">
      <h2 id="outline-title">{t("courses.admin.outline")}</h2>
      {p.o.sections.length === 0 && <p class="muted">{t("courses.admin.no_sections")}</p>}
      <ol class="outline-sections">
        {p.o.sections.map((s, i) => (
          <li class="card outline-section" id={`s-${s.id}`}>
            <div class="outline-head">
              <h3>{s.title}</h3>
              <span class="badge">{dripLabel(p.c, s)}</span>
              <MoveButtons
                c={p.c}
                action={`${base}/sections/${s.id}/move`}
                first={i === 0}
                last={i === p.o.sections.length - 1}
                label={s.title}
              />
            </div>
            <ol class="outline-lessons">
              {s.lessons.map((l, j) => (
                <li>
                  <a href={`${base}/lessons/${l.id}`}>{l.title}</a>
                  {l.free_preview === 1 && <span class="badge ok">{t("courses.lesson.free_preview")}</span>}
                  {l.required === 0 && <span class="badge">{t("courses.lesson.optional")}</span>}
                  <MoveButtons
                    c={p.c}
                    action={`${base}/lessons/${l.id}/move`}
                    first={j === 0}
                    last={j === s.lessons.length - 1}
                    label={l.title}
                  />
                </li>
              ))}
            </ol>
            <p>
              <a class="btn secondary small" href={`${base}/lessons/new?section=${s.id}`}>
                {t("courses.admin.add_lesson")}
              </a>
            </p>
            <details open={p.sectionErrors?.id === s.id}>
              <summary>{t("courses.admin.edit_section")}</summary>
              <SectionForm
                c={p.c}
                action={`${base}/sections/${s.id}`}
                prefix={s.id}
                values={p.sectionErrors?.id === s.id ? p.sectionErrors.values : sectionValues(s)}
                errors={p.sectionErrors?.id === s.id ? p.sectionErrors.errors : undefined}
              />
              {s.lessons.length === 0 && (
                <form method="post" action={`${base}/sections/${s.id}/delete`} class="inline-form">
                  <CsrfField c={p.c} />
                  <button type="submit" class="link danger-link">
                    {t("courses.admin.delete_section")}
                  </button>
                </form>
              )}
            </details>
          </li>
        ))}
      </ol>
      <div class="card">
        <h3>{t("courses.admin.new_section")}</h3>
        <SectionForm
          c={p.c}
          action={`${base}/sections`}
          prefix="new"
          values={p.sectionErrors?.id === "new" ? p.sectionErrors.values : sectionValues(null)}
          errors={p.sectionErrors?.id === "new" ? p.sectionErrors.errors : undefined}
        />
      </div>
    </section>
  );
}

export function SellingBox(p: {
  c: AppContext;
  courseId: string;
  offers: { id: string; name: string; includes: boolean }[];
}) {
  const t = tr(p.c);
  return (
    <section class="admin-section" aria-labelledby="sell-title">
      <h2 id="sell-title">{t("courses.admin.selling")}</h2>
      <p class="muted small">{t("courses.admin.selling_hint")}</p>
      {p.offers.length === 0 ? (
        <p class="muted">
          {t("courses.admin.no_offers")} <a href="/admin/offers">{t("courses.admin.go_offers")}</a>
        </p>
      ) : (
        <form method="post" action={`/admin/courses/${p.courseId}/offers`} class="admin-form stack-tight">
          <CsrfField c={p.c} />
          {p.offers.map((o) => (
            <label class="check">
              <input type="checkbox" name="offer" value={o.id} checked={o.includes} />
              <span>{o.name}</span>
            </label>
          ))}
          <div>
            <button type="submit" class="secondary">
              {t("courses.admin.save_selling")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

export function CertificatesBox(p: { c: AppContext; certificates: Certificate[] }) {
  const t = tr(p.c);
  if (p.certificates.length === 0) return null;
  return (
    <section class="admin-section" aria-labelledby="certs-title">
      <h2 id="certs-title">{t("courses.admin.certificates")}</h2>
      <div class="table-wrap">
        <table>
          <tbody>
            {p.certificates.map((cert) => (
              <tr>
                <td>{cert.student_name}</td>
                <td class="small">{formatDate(p.c.var.locale, cert.completed_at, p.c.var.site.timeZone)}</td>
                <td>
                  <a href={`/certificates/${cert.code}`}>{cert.code}</a>
                </td>
                <td>
                  <form method="post" action={`/admin/certificates/${cert.id}/revoke`} class="inline-form">
                    <CsrfField c={p.c} />
                    <input type="hidden" name="revoked" value={cert.revoked_at ? "0" : "1"} />
                    <button type="submit" class="link small">
                      {cert.revoked_at ? t("courses.admin.restore") : t("courses.admin.revoke")}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
