import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { Checkbox, type Errors } from "../../../platform/views/components.tsx";
import { arrangeHomeSections } from "../../../platform/views/home-sections.tsx";
import { logoUrl } from "../../../platform/views/layout.tsx";
import { positionField, showField } from "../home-schemas.ts";
import { ImageInput } from "./inputs.tsx";

/** One image of the home page: what is there now, a way to remove it, and the upload. */
export function HomeImageField(p: {
  c: AppContext;
  name: "portrait" | "cover";
  fileId: string | null;
  values: Record<string, string>;
  errors?: Errors;
}) {
  const t = tr(p.c);
  const url = logoUrl(p.fileId);
  const remove = p.name === "portrait" ? "removePortrait" : "removeCover";
  return (
    <div class="stack home-image-field">
      <div class={`home-image-current ${p.name}`}>
        <p class="label">{t(`site.home.settings.current.${p.name}`)}</p>
        {url ? (
          <>
            <img src={url} alt={t(`site.field.${p.name}`)} />
            <Checkbox
              c={p.c}
              name={remove}
              label={t(p.name === "portrait" ? "site.field.removePortrait" : "site.field.removeCover")}
              checked={p.values[remove] === "on"}
            />
          </>
        ) : (
          <p class="muted small">{t("site.home.settings.none")}</p>
        )}
      </div>
      <ImageInput
        c={p.c}
        name={p.name}
        label={t(`site.field.${p.name}`)}
        hint={t(`site.field.${p.name}.hint`)}
        errors={p.errors}
      />
    </div>
  );
}

/** Each registered section with "show" and its position, in the current order. */
export function SectionChoices({
  c,
  values,
  errors,
}: {
  c: AppContext;
  values: Record<string, string>;
  errors?: Errors;
}) {
  const t = tr(c);
  const sections = arrangeHomeSections(c.var.site.homeSections);
  const positions = sections.map((_, i) => String(i + 1));
  return (
    <section class="card settings-section" id="sections" aria-labelledby="sections-title">
      <h2 id="sections-title">{t("site.home.sectionsTitle")}</h2>
      <p class="muted">{t("site.home.sectionsIntro")}</p>
      <ol class="home-section-choices">
        {sections.map(({ section }) => {
          const label = section.label(c.var.locale);
          const pos = positionField(section.key);
          const err = errors?.[pos];
          return (
            <li class="home-section-choice">
              <label class="check">
                <input
                  type="checkbox"
                  name={showField(section.key)}
                  checked={values[showField(section.key)] === "on"}
                />
                <span>{label}</span>
              </label>
              <span class="field home-position">
                <label for={`f-${pos}`} class="visually-hidden">
                  {t("site.home.section.position", { label })}
                </label>
                <span aria-hidden="true" class="muted small">
                  {t("site.home.section.positionShort")}
                </span>
                <select
                  id={`f-${pos}`}
                  name={pos}
                  aria-invalid={err ? "true" : undefined}
                  aria-describedby={err ? `f-${pos}-error` : undefined}
                >
                  {!positions.includes(values[pos] ?? "") && <option value={values[pos] ?? ""} selected></option>}
                  {positions.map((n) => (
                    <option value={n} selected={values[pos] === n}>
                      {n}
                    </option>
                  ))}
                </select>
                {err && (
                  <span class="error" id={`f-${pos}-error`}>
                    {t(err.key, err.params)}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      <fieldset class="home-posts-choice">
        <legend>{t("site.home.posts.legend")}</legend>
        {(["all", "public"] as const).map((choice) => (
          <label class="check">
            <input type="radio" name="homePosts" value={choice} checked={(values.homePosts || "all") === choice} />
            <span>{t(`site.home.posts.${choice}`)}</span>
          </label>
        ))}
        {errors?.homePosts && <span class="error">{t(errors.homePosts.key, errors.homePosts.params)}</span>}
      </fieldset>
    </section>
  );
}
