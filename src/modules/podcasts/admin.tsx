import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import {
  allowLargeBody,
  expectFiles,
  fileIn,
  readBody,
  strictUtf8,
  type FormFields,
} from "../../platform/http/body.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { formatDateTime } from "../../platform/i18n/index.ts";
import { runOperation } from "../../platform/operations.ts";
import { adminPage, registerAdminNav } from "../../platform/views/admin-layout.tsx";
import {
  Checkbox,
  CsrfField,
  Field,
  FormErrors,
  Select,
  TextArea,
  type Errors,
} from "../../platform/views/components.tsx";
import { currentStaff } from "../staff/index.ts";
import { staffActor } from "../../platform/actor.ts";
import { tierOffers } from "../offers/index.ts";
import { MAX_AUDIO_BYTES } from "./audio.ts";
import { appleCategories } from "./categories.ts";
import { MAX_CHAPTERS_BYTES, MAX_TRANSCRIPT_BYTES } from "./content.ts";
import { audioRule, checkAudioUpload, COVER_MAX_BYTES, coverRule, discardKept, type CheckedAudio } from "./files.ts";
import { showStats } from "./listening.ts";
import { saveEpisode, saveShow } from "./operations.ts";
import { openAlerts, rotateFeed } from "./sharing.ts";
import {
  categoriesOf,
  findEpisode,
  findShow,
  formatDuration,
  listShows,
  showEpisodes,
  showUrl,
  type EpisodeRow,
  type ShowRow,
} from "./service.ts";

/*
 * The creator's screens: shows, episodes (one form, audio streamed to disk),
 * downloads, and shared-feed alerts with their one-click rotation.
 */

export const SHOW_SAVE_PATH = "/admin/podcasts/show-save";
export const EPISODE_SAVE_PATH = "/admin/podcasts/episode-save";
const OVERHEAD = 4 * 1024 * 1024;

async function staffActorOf(c: AppContext) {
  const user = await currentStaff(c);
  return staffActor(user.id, user.role);
}

const str = (f: FormFields, k: string) => {
  const v = f[k];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
};

function problem(err: unknown): { errors: Errors; message: string | null } | null {
  if (!(err instanceof AppError) || err.status >= 500 || err.status === 404 || err.status === 403 || err.status === 401)
    return null;
  return { errors: err.fields, message: Object.keys(err.fields).length ? null : err.messageKey };
}

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

function EpisodeForm({
  c,
  show,
  episode,
  values,
  errors,
  message,
  tiers,
}: {
  c: AppContext;
  show: ShowRow;
  episode?: EpisodeRow;
  values: FormFields;
  errors?: Errors;
  message?: string | null;
  tiers: { id: string; name: string }[];
}) {
  const t = tr(c);
  const v = (k: string) => str(values, k);
  const offers = new Set(Array.isArray(values.offers) ? values.offers : values.offers ? [values.offers] : []);
  return (
    <form method="post" action={EPISODE_SAVE_PATH} enctype="multipart/form-data" class="stack">
      <CsrfField c={c} />
      <input type="hidden" name="showId" value={show.id} />
      {episode && <input type="hidden" name="id" value={episode.id} />}
      {message && (
        <p class="notice warn" role="alert">
          {t(message)}
        </p>
      )}
      <FormErrors c={c} errors={errors} />
      <Field c={c} name="title" label={t("podcasts.admin.episode_title")} value={v("title")} errors={errors} required />
      <div class="field">
        <label for="f-audio">{t("podcasts.admin.audio")}</label>
        <p class="hint">
          {episode?.audio_file_id
            ? t("podcasts.admin.audio_kept", { duration: formatDuration(episode.duration_s) })
            : t("podcasts.admin.audio_hint")}
        </p>
        <input id="f-audio" type="file" name="audio" accept="audio/mpeg,audio/mp4,.mp3,.m4a" />
      </div>
      <TextArea
        c={c}
        name="notes"
        label={t("podcasts.admin.notes")}
        hint={t("podcasts.admin.notes_hint")}
        value={v("notes")}
        errors={errors}
        rows={8}
      />
      <Field c={c} name="season" type="number" label={t("podcasts.admin.season")} value={v("season")} errors={errors} />
      <Field c={c} name="number" type="number" label={t("podcasts.admin.number")} value={v("number")} errors={errors} />
      <Select
        c={c}
        name="episodeType"
        label={t("podcasts.admin.episode_type")}
        value={v("episodeType") || "full"}
        errors={errors}
        options={["full", "trailer", "bonus"].map((x) => ({ value: x, label: t(`podcasts.type.${x}`) }))}
      />
      <Select
        c={c}
        name="audience"
        label={t("podcasts.admin.audience")}
        value={v("audience") || "public"}
        errors={errors}
        options={["public", "members", "paid", "offers"].map((x) => ({ value: x, label: t(`podcasts.audience.${x}`) }))}
      />
      {tiers.length > 0 && (
        <fieldset>
          <legend>{t("podcasts.admin.tiers")}</legend>
          {tiers.map((o) => (
            <label class="check">
              <input type="checkbox" name="offers" value={o.id} checked={offers.has(o.id)} /> <span>{o.name}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div class="field">
        <label for="f-teaser">{t("podcasts.admin.teaser")}</label>
        <p class="hint">{t("podcasts.admin.teaser_hint")}</p>
        <input id="f-teaser" type="file" name="teaser" accept="audio/mpeg,audio/mp4,.mp3,.m4a" />
      </div>
      <div class="field">
        <label for="f-transcript">{t("podcasts.admin.transcript")}</label>
        <p class="hint">{t("podcasts.admin.transcript_hint")}</p>
        <input id="f-transcript" type="file" name="transcript" accept=".srt,.vtt,text/vtt" />
      </div>
      <div class="field">
        <label for="f-chapters">{t("podcasts.admin.chapters")}</label>
        <input id="f-chapters" type="file" name="chapters" accept=".json,application/json" />
      </div>
      <Checkbox
        c={c}
        name="trailer"
        label={t("podcasts.admin.is_trailer")}
        checked={show.trailer_episode_id !== null && show.trailer_episode_id === episode?.id}
      />
      <Select
        c={c}
        name="publish"
        label={t("podcasts.admin.publish")}
        value={v("publish") || "now"}
        errors={errors}
        options={["draft", "now", "at"].map((x) => ({ value: x, label: t(`podcasts.publish.${x}`) }))}
      />
      <Field
        c={c}
        name="publishAt"
        type="datetime-local"
        label={t("podcasts.admin.publish_at")}
        value={v("publishAt")}
        errors={errors}
      />
      <button type="submit">{t("podcasts.admin.save")}</button>
    </form>
  );
}

function episodeValues(e: EpisodeRow): FormFields {
  return {
    title: e.title,
    notes: e.notes_md,
    season: e.season === null ? "" : String(e.season),
    number: e.number === null ? "" : String(e.number),
    episodeType: e.episode_type,
    audience: e.audience,
    offers: JSON.parse(e.audience_offers) as string[],
    publish: e.status === "draft" ? "draft" : "now",
  };
}

async function tiersOf(c: AppContext) {
  return (await tierOffers(c.var.services.db)).map((o) => ({ id: o.id, name: o.name }));
}

async function textFile(
  body: Awaited<ReturnType<typeof readBody>>,
  field: string,
  max: number,
): Promise<string | undefined> {
  const f = fileIn(body, field);
  if (!f || f.size === 0) return undefined;
  if (f.size > max)
    throw new AppError("payload_too_large", 413, "error.file_too_large", {}, { max: Math.ceil(max / 1024 / 1024) });
  return strictUtf8(await f.bytes());
}

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/podcasts", labelKey: "podcasts.admin.nav", order: 45 });
  allowLargeBody(SHOW_SAVE_PATH, COVER_MAX_BYTES + OVERHEAD);
  allowLargeBody(EPISODE_SAVE_PATH, MAX_AUDIO_BYTES * 1 + OVERHEAD + MAX_TRANSCRIPT_BYTES + MAX_CHAPTERS_BYTES);
  // Checked as the files stream in: a wrong type stops at its first bytes, each file at its own limit.
  expectFiles(SHOW_SAVE_PATH, { cover: coverRule });
  expectFiles(EPISODE_SAVE_PATH, {
    audio: audioRule,
    teaser: audioRule,
    transcript: { maxBytes: MAX_TRANSCRIPT_BYTES },
    chapters: { maxBytes: MAX_CHAPTERS_BYTES },
  });

  app.get("/admin/podcasts", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const shows = await listShows(db);
    const alerts = await openAlerts(db);
    const byId = new Map(shows.map((s) => [s.id, s]));
    return adminPage(
      c,
      t("podcasts.admin.title"),
      <section class="stack">
        <p>
          <a class="button" href="/admin/podcasts/new">
            {t("podcasts.admin.new_show")}
          </a>
        </p>
        {shows.length === 0 && <p class="muted">{t("podcasts.admin.no_show")}</p>}
        <ul>
          {shows.map((s) => (
            <li>
              <a href={`/admin/podcasts/${s.id}`}>{s.title}</a>
            </li>
          ))}
        </ul>
        <h2>{t("podcasts.admin.alerts")}</h2>
        {alerts.length === 0 && <p class="muted">{t("podcasts.admin.no_alert")}</p>}
        <ul class="alerts">
          {alerts.map((a) => {
            const ev = JSON.parse(a.evidence) as { networks: string[]; apps: string[] };
            return (
              <li>
                <p>
                  {t("podcasts.admin.alert_text", {
                    show: byId.get(a.show_id)?.title ?? "",
                    networks: a.networks,
                    apps: a.apps,
                    at: formatDateTime(c.var.locale, a.created_at, c.var.site.timeZone),
                  })}{" "}
                  <a href={`/admin/members/${a.member_id}`}>{t("podcasts.admin.alert_member")}</a>
                </p>
                <p class="muted small">
                  {t("podcasts.admin.alert_evidence", { networks: ev.networks.join(", "), apps: ev.apps.join(", ") })}
                </p>
                <form method="post" action={`/admin/podcasts/alerts/${a.id}/rotate`}>
                  <CsrfField c={c} />
                  <button type="submit">{t("podcasts.admin.rotate")}</button>
                </form>
              </li>
            );
          })}
        </ul>
      </section>,
    );
  });

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

  app.get("/admin/podcasts/:id/episodes/new", async (c) => {
    const show = await findShow(c.var.services.db, c.req.param("id"));
    if (!show) throw notFound();
    return adminPage(
      c,
      tr(c)("podcasts.admin.new_episode"),
      <EpisodeForm c={c} show={show} values={{ publish: "now" }} tiers={await tiersOf(c)} />,
    );
  });

  app.get("/admin/podcasts/episodes/:id", async (c) => {
    const db = c.var.services.db;
    const e = await findEpisode(db, c.req.param("id"));
    const show = e ? await findShow(db, e.show_id) : undefined;
    if (!e || !show) throw notFound();
    return adminPage(
      c,
      e.title,
      <EpisodeForm c={c} show={show} episode={e} values={episodeValues(e)} tiers={await tiersOf(c)} />,
    );
  });

  app.post(EPISODE_SAVE_PATH, async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const body = await readBody(c);
    const show = await findShow(db, str(body.fields, "showId"));
    if (!show) throw notFound();
    const id = str(body.fields, "id") || undefined;
    const episode = id ? await findEpisode(db, id) : undefined;
    let audio: CheckedAudio | undefined;
    let teaser: CheckedAudio | undefined;
    try {
      const a = fileIn(body, "audio");
      const tz = fileIn(body, "teaser");
      audio = a && a.size > 0 ? await checkAudioUpload(a) : undefined;
      teaser = tz && tz.size > 0 ? await checkAudioUpload(tz) : undefined;
      const input = {
        ...body.fields,
        id,
        timeZone: c.var.site.timeZone,
        audio,
        teaser,
        transcript: await textFile(body, "transcript", MAX_TRANSCRIPT_BYTES),
        chapters: await textFile(body, "chapters", MAX_CHAPTERS_BYTES),
      };
      await runOperation(c.var.services, saveEpisode, await staffActorOf(c), input);
      return c.redirect(`/admin/podcasts/${show.id}`, 303);
    } catch (err) {
      await discardKept(c.var.services.storage, audio, teaser);
      const p = problem(err);
      if (!p) throw err;
      return adminPage(
        c,
        t("podcasts.admin.title"),
        <EpisodeForm
          c={c}
          show={show}
          episode={episode}
          values={body.fields}
          errors={p.errors}
          message={p.message}
          tiers={await tiersOf(c)}
        />,
        (err as AppError).status === 415 ? 415 : (err as AppError).status === 413 ? 413 : 422,
      );
    }
  });

  app.post("/admin/podcasts/alerts/:id/rotate", async (c) => {
    await readBody(c);
    const alert = await c.var.services.db
      .selectFrom("podcast_alerts")
      .select(["feed_id"])
      .where("id", "=", c.req.param("id"))
      .executeTakeFirst();
    if (!alert) throw notFound();
    await runOperation(c.var.services, rotateFeed, await staffActorOf(c), { feedId: alert.feed_id, reason: "staff" });
    return c.redirect("/admin/podcasts", 303);
  });
}
