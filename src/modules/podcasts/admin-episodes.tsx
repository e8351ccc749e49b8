import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { fileIn, readBody, strictUtf8, type FormFields } from "../../platform/http/body.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
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
import { tierOffers } from "../offers/index.ts";
import { EPISODE_SAVE_PATH, problem, staffActorOf, str } from "./admin-common.ts";
import { MAX_CHAPTERS_BYTES, MAX_TRANSCRIPT_BYTES } from "./content.ts";
import { checkAudioUpload, discardKept, type CheckedAudio } from "./files.ts";
import { saveEpisode } from "./operations.ts";
import { findEpisode, findShow, formatDuration, type EpisodeRow, type ShowRow } from "./service.ts";

/* The creator's episode screens: one form (audio streamed to disk), a new episode, an episode, its save. */

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

export function episodeAdminRoutes(app: Hono<AppEnv>): void {
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
}
