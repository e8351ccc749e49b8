import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { fileIn, readBody, type FormFields } from "../../platform/http/body.ts";
import { notFound } from "../../platform/http/errors.ts";
import { runOperation } from "../../platform/operations.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Select,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import { problem, SHOW_SAVE_PATH, staffActorOf, str } from "./admin-common.ts";
import { appleCategories } from "./categories.ts";
import { showStats } from "./listening.ts";
import { saveShow } from "./operations.ts";
import { categoriesOf, findShow, showEpisodes, showUrl, type ShowRow } from "./service.ts";

/* The creator's show screens: a new show, its save, and a show's page (episodes, downloads, edit form). */

function ShowForm({
  c,
  show,
  values,
  errors,
  message,
}: {
  c: AppContext;
  show?: ShowRow;
  values: FormFields;
  errors?: Errors;
  message?: string | null;
}) {
  const t = tr(c);
  const v = (k: string) => str(values, k);
  const chosen = new Set(
    Array.isArray(values.categories) ? values.categories : values.categories ? [values.categories] : [],
  );
  return (
    <form method="post" action={SHOW_SAVE_PATH} enctype="multipart/form-data" class="stack">
      <CsrfField c={c} />
      {show && <input type="hidden" name="id" value={show.id} />}
      {message && (
        <p class="notice warn" role="alert">
          {t(message)}
        </p>
      )}
      <FormErrors c={c} errors={errors} />
      <Field c={c} name="title" label={t("podcasts.admin.show_title")} value={v("title")} errors={errors} required />
      <TextArea
        c={c}
        name="description"
        label={t("podcasts.admin.description")}
        value={v("description")}
        errors={errors}
        required
      />
      <Field c={c} name="author" label={t("podcasts.admin.author")} value={v("author")} errors={errors} required />
      <Field
        c={c}
        name="ownerEmail"
        type="email"
        label={t("podcasts.admin.owner_email")}
        hint={t("podcasts.admin.owner_email_hint")}
        value={v("ownerEmail")}
        errors={errors}
        required
      />
      <Select
        c={c}
        name="language"
        label={t("podcasts.admin.language")}
        value={v("language") || "fr"}
        errors={errors}
        options={["fr", "en", "de", "es", "it", "nl", "pt"].map((l) => ({ value: l, label: t(`podcasts.lang.${l}`) }))}
      />
      <div class="field">
        <label for="f-categories">{t("podcasts.admin.categories")}</label>
        <p class="hint">{t("podcasts.admin.categories_hint")}</p>
        <select id="f-categories" name="categories" multiple size={8}>
          {appleCategories.map((cat) => (
            <option value={cat} selected={chosen.has(cat)}>
              {cat}
            </option>
          ))}
        </select>
        {errors?.categories && <p class="error">{t(errors.categories.key, errors.categories.params)}</p>}
      </div>
      <Checkbox c={c} name="explicit" label={t("podcasts.admin.explicit")} checked={v("explicit") === "on"} />
      <div class="field">
        <label for="f-cover">{t("podcasts.admin.cover")}</label>
        <p class="hint">{t("podcasts.admin.cover_hint")}</p>
        <input id="f-cover" type="file" name="cover" accept="image/jpeg,image/png" />
      </div>
      <Field
        c={c}
        name="shareLimit"
        type="number"
        label={t("podcasts.admin.share_limit")}
        hint={t("podcasts.admin.share_limit_hint")}
        value={v("shareLimit") || "5"}
        errors={errors}
      />
      <Checkbox c={c} name="autoRotate" label={t("podcasts.admin.auto_rotate")} checked={v("autoRotate") === "on"} />
      <button type="submit">{t("podcasts.admin.save")}</button>
    </form>
  );
}

function showValues(s: ShowRow): FormFields {
  return {
    title: s.title,
    description: s.description,
    author: s.author,
    ownerEmail: s.owner_email,
    language: s.language,
    categories: categoriesOf(s),
    explicit: s.explicit ? "on" : "",
    shareLimit: String(s.share_limit),
    autoRotate: s.auto_rotate ? "on" : "",
  };
}

export function showAdminRoutes(app: Hono<AppEnv>): void {
  app.get("/admin/podcasts/new", (c) =>
    adminPage(c, tr(c)("podcasts.admin.new_show"), <ShowForm c={c} values={{ language: "fr", shareLimit: "5" }} />),
  );

  app.post(SHOW_SAVE_PATH, async (c) => {
    const t = tr(c);
    const body = await readBody(c);
    const cover = fileIn(body, "cover");
    const input = { ...body.fields, cover: cover && cover.size > 0 ? await cover.bytes() : undefined };
    const id = str(body.fields, "id") || undefined;
    const show = id ? await findShow(c.var.services.db, id) : undefined;
    try {
      const res = await runOperation(c.var.services, saveShow, await staffActorOf(c), { ...input, id });
      return c.redirect(`/admin/podcasts/${res.id}`, 303);
    } catch (err) {
      const p = problem(err);
      if (!p) throw err;
      return adminPage(
        c,
        t("podcasts.admin.title"),
        <ShowForm c={c} show={show} values={body.fields} errors={p.errors} message={p.message} />,
        422,
      );
    }
  });

  app.get("/admin/podcasts/:id", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const show = await findShow(db, c.req.param("id"));
    if (!show) throw notFound();
    const eps = await showEpisodes(db, show.id);
    const stats = await showStats(db, show.id);
    return adminPage(
      c,
      show.title,
      <section class="stack">
        <p>
          <a href={showUrl(show.slug)}>{t("podcasts.admin.view_public")}</a> ·{" "}
          <a class="button" href={`/admin/podcasts/${show.id}/episodes/new`}>
            {t("podcasts.admin.new_episode")}
          </a>
        </p>
        <table>
          <thead>
            <tr>
              <th>{t("podcasts.admin.episode_title")}</th>
              <th>{t("podcasts.admin.audience")}</th>
              <th>{t("podcasts.admin.downloads")}</th>
              <th>{t("podcasts.admin.members")}</th>
            </tr>
          </thead>
          <tbody>
            {eps.map((e) => {
              const s = stats.perEpisode.get(e.id);
              return (
                <tr>
                  <td>
                    <a href={`/admin/podcasts/episodes/${e.id}`}>{e.title}</a>{" "}
                    {e.status === "draft" && <span class="muted small">({t("podcasts.publish.draft")})</span>}
                  </td>
                  <td>{t(`podcasts.audience.${e.audience}`)}</td>
                  <td>{s?.downloads ?? 0}</td>
                  <td>{s?.members ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <h2>{t("podcasts.admin.per_app")}</h2>
        <ul>
          {stats.perApp.map((a) => (
            <li>
              {a.app === "web" ? t("podcasts.admin.app_web") : a.app} : {a.downloads}
            </li>
          ))}
        </ul>
        <h2>{t("podcasts.admin.edit_show")}</h2>
        <ShowForm c={c} show={show} values={showValues(show)} />
      </section>,
    );
  });
}
