import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { Checkbox, CsrfField, Field, FormErrors, Select, type Errors } from "../../../platform/views/components.tsx";
import { timeZones } from "../../../platform/http/validation.ts";
import type { Member } from "../service.ts";
import { displayName } from "./views.tsx";

export interface EditValues {
  name: string;
  email: string;
  locale: string;
  timeZone: string;
  newsletter: boolean;
  consent: boolean;
  /** Comma-separated, as typed. */
  tags: string;
}

function localeOptions(c: AppContext) {
  const t = tr(c);
  return [
    { value: "fr", label: t("members.admin.locale.fr") },
    { value: "en", label: t("members.admin.locale.en") },
  ];
}

/** The add and edit form (the consent box is required only when the newsletter gets switched on). */
export function MemberForm(p: {
  c: AppContext;
  action: string;
  values: EditValues;
  errors: Errors;
  withTimeZone?: boolean;
  wasSubscribed: boolean;
  submit: string;
}) {
  const t = tr(p.c);
  const { c, values, errors } = p;
  return (
    <form method="post" action={p.action} class="stack" novalidate>
      <CsrfField c={c} />
      <FormErrors c={c} errors={errors} />
      <Field
        c={c}
        name="email"
        type="email"
        label={t("members.admin.field.email")}
        value={values.email}
        errors={errors}
        required
        autocomplete="off"
        maxLength={254}
      />
      <Field
        c={c}
        name="name"
        label={t("members.admin.field.name")}
        value={values.name}
        errors={errors}
        autocomplete="off"
        maxLength={120}
      />
      <Select
        c={c}
        name="locale"
        label={t("members.admin.field.locale")}
        value={values.locale}
        options={localeOptions(c)}
        errors={errors}
      />
      <Field
        c={c}
        name="tags"
        label={t("members.tags.label")}
        hint={t("members.tags.hint")}
        value={values.tags}
        errors={errors}
        autocomplete="off"
        maxLength={900}
      />
      {p.withTimeZone && (
        <Select
          c={c}
          name="timeZone"
          label={t("members.admin.field.timeZone")}
          value={values.timeZone}
          options={timeZones().map((z) => ({ value: z, label: z }))}
          errors={errors}
        />
      )}
      <Checkbox
        c={c}
        name="newsletter"
        label={t("members.admin.edit.newsletter")}
        checked={values.newsletter}
        errors={errors}
      />
      {!p.wasSubscribed && (
        <Checkbox
          c={c}
          name="consent"
          label={t("members.admin.edit.consent")}
          checked={values.consent}
          errors={errors}
        />
      )}
      <div>
        <button type="submit">{p.submit}</button>
      </div>
    </form>
  );
}

export function NewMember({ c, values, errors }: { c: AppContext; values: EditValues; errors: Errors }) {
  const t = tr(c);
  return (
    <div class="members-admin narrow-admin">
      <p class="small">
        <a href="/admin/members">‹ {t("members.admin.back")}</a>
      </p>
      <h1>{t("members.admin.new.title")}</h1>
      <p class="muted">{t("members.admin.new.intro")}</p>
      <div class="card">
        <MemberForm
          c={c}
          action="/admin/members/new"
          values={values}
          errors={errors}
          wasSubscribed={false}
          submit={t("members.admin.new.submit")}
        />
      </div>
    </div>
  );
}

export function DeleteMember({ c, member }: { c: AppContext; member: Member }) {
  const t = tr(c);
  return (
    <div class="members-admin narrow-admin">
      <p class="small">
        <a href={`/admin/members/${member.id}`}>‹ {displayName(c, member)}</a>
      </p>
      <h1>{t("members.admin.delete.title", { name: member.name || member.email })}</h1>
      <div class="card stack-tight">
        <p class="break">
          <strong>{member.email}</strong>
        </p>
        <p>{t("members.admin.delete.body")}</p>
        <form method="post" action={`/admin/members/${member.id}/delete`} class="inline-form">
          <CsrfField c={c} />
          <button type="submit" class="danger">
            {t("members.admin.delete.confirm")}
          </button>
          <a class="btn secondary" href={`/admin/members/${member.id}`}>
            {t("form.cancel")}
          </a>
        </form>
      </div>
    </div>
  );
}
