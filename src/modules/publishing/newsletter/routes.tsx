import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { DateTime } from "luxon";
import { adminPage, registerAdminNav } from "../../../platform/views/admin-layout.tsx";
import { currentStaff } from "../../staff/index.ts";
import { registerAccountExport, registerEraseHook, updateMember } from "../../members/index.ts";
import { transaction, type Db } from "../../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../../platform/http/context.ts";
import { clientIp, tr } from "../../../platform/http/context.ts";
import { AppError, type FieldError } from "../../../platform/http/errors.ts";
import { readForm, formValue, type FormData } from "../../../platform/http/forms.ts";
import { exemptFromCsrf } from "../../../platform/http/middleware.ts";
import { formatDateTime, formatNumber, isLocale, t, type Locale } from "../../../platform/i18n/index.ts";
import { newId, nowIso } from "../../../platform/ids.ts";
import { queueTestNewsletter } from "./test-mail.ts";
import { putSetting } from "../../../platform/settings.ts";
import { safeEqual } from "../../../platform/security/tokens.ts";
import { registerAsset, assetUrl } from "../../../platform/views/assets.ts";
import { CsrfField, Notice } from "../../../platform/views/components.tsx";
import { page } from "../../../platform/views/layout.tsx";
import { getPostForSending, type PostForSending } from "../service.ts";
import {
  cancelScheduled,
  createSend,
  figures,
  getSend,
  trackingEnabled,
  TRACKING_SETTING,
  type Figures,
} from "./engine.ts";
import { rememberServices, settings } from "./runtime.ts";
import { record as recordEvent } from "../../../platform/events/index.ts";
import { emailBounced, emailComplained } from "../events.ts";
import { countSegment, parseSegmentJson, segmentFromForm, tierOffers, type Segment } from "./segments.ts";
import { allMemberTags, memberContactByEmail, memberContacts } from "../../members/index.ts";
import { linkSignature, readTrackingToken, readUnsubscribeToken } from "./tokens.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("newsletter-progress.js", path.join(here, "progress.js"), "text/javascript; charset=utf-8");

const stateBadge: Record<string, string> = {
  scheduled: "badge",
  sending: "badge warn",
  finished: "badge ok",
  cancelled: "badge danger",
};

function segmentLabel(locale: Locale, segment: Segment, tierNames: Map<string, string>): string {
  if (segment.kind === "tiers")
    return `${t(locale, "newsletter.segment.tiers")} ${segment.offers.map((id) => tierNames.get(id) ?? id).join(", ")}`;
  if (segment.kind === "tags") return `${t(locale, "newsletter.segment.tags")} ${segment.tags.join(", ")}`;
  return t(locale, `newsletter.segment.${segment.kind}`);
}

function audienceLabel(locale: Locale, post: PostForSending): string {
  const a = post.audience;
  return t(locale, `newsletter.audience.${typeof a === "string" ? a : "offers"}`);
}

/* ---------------- admin: list ---------------- */

async function listPage(c: AppContext) {
  const tt = tr(c);
  const db = c.var.services.db;
  const locale = c.var.locale;
  const sends = await db
    .selectFrom("newsletter_sends")
    .leftJoin("posts", "posts.id", "newsletter_sends.post_id")
    .select([
      "newsletter_sends.id",
      "newsletter_sends.state",
      "newsletter_sends.subject",
      "newsletter_sends.scheduled_at",
      "newsletter_sends.started_at",
      "newsletter_sends.recipients",
      "posts.title",
    ])
    .orderBy("newsletter_sends.created_at", "desc")
    .limit(100)
    .execute();
  const figs = await Promise.all(sends.map((s) => figures(db, s.id)));
  const tracking = await trackingEnabled(db);
  const n = (v: number) => formatNumber(locale, v);
  return adminPage(
    c,
    tt("newsletter.list.title"),
    <>
      <h1>{tt("newsletter.list.title")}</h1>
      <p class="muted">{tt("newsletter.list.intro")}</p>
      <p>
        <a class="btn" href="/admin/newsletters/new">
          {tt("newsletter.list.new")}
        </a>
      </p>
      {sends.length === 0 ? (
        <p class="muted">{tt("newsletter.list.empty")}</p>
      ) : (
        <div class="table-wrap nl-table">
          <table>
            <thead>
              <tr>
                <th scope="col">{tt("newsletter.list.post")}</th>
                <th scope="col">{tt("newsletter.list.state")}</th>
                <th scope="col">{tt("newsletter.list.when")}</th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.recipients")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.accepted")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.failed")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.bounced")}
                </th>
                <th scope="col" class="num">
                  {tt("newsletter.fig.unsubscribed")}
                </th>
              </tr>
            </thead>
            <tbody>
              {sends.map((s, i) => {
                const f = figs[i]!;
                return (
                  <tr>
                    <td>
                      <a href={`/admin/newsletters/${s.id}`}>{s.subject}</a>
                      {s.title && s.title !== s.subject && <div class="muted small">{s.title}</div>}
                    </td>
                    <td>
                      <span class={stateBadge[s.state]}>{tt(`newsletter.state.${s.state}`)}</span>
                    </td>
                    <td>{formatDateTime(locale, s.started_at ?? s.scheduled_at, c.var.site.timeZone)}</td>
                    <td class="num">{n(s.state === "scheduled" ? 0 : f.recipients)}</td>
                    <td class="num">{n(f.accepted)}</td>
                    <td class="num">{n(f.failed)}</td>
                    <td class="num">{n(f.bounced)}</td>
                    <td class="num">{n(f.unsubscribed)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <section class="card nl-tracking">
        <h2>{tt("newsletter.tracking.title")}</h2>
        <p>{tt(tracking ? "newsletter.tracking.on" : "newsletter.tracking.off")}</p>
        <form method="post" action="/admin/newsletters/tracking">
          <CsrfField c={c} />
          <input type="hidden" name="tracking" value={tracking ? "off" : "on"} />
          <button type="submit" class="btn secondary">
            {tt(tracking ? "newsletter.tracking.disable" : "newsletter.tracking.enable")}
          </button>
        </form>
      </section>
    </>,
  );
}

/* ---------------- admin: compose ---------------- */

interface ComposeState {
  post: PostForSending;
  subject: string;
  segmentKind: string;
  tags: string[];
  tiers: string[];
  when: "now" | "later";
  at: string;
  errors: Record<string, FieldError>;
  notice?: string;
  count: number | null;
}

async function postPicker(c: AppContext) {
  const tt = tr(c);
  const posts = await c.var.services.db
    .selectFrom("posts")
    .select(["id", "title", "published_at"])
    .where("status", "=", "published")
    .orderBy("published_at", "desc")
    .limit(50)
    .execute();
  return adminPage(
    c,
    tt("newsletter.new.pick"),
    <>
      <h1>{tt("newsletter.new.pick")}</h1>
      {posts.length === 0 ? (
        <p class="muted">{tt("newsletter.new.noPosts")}</p>
      ) : (
        <ul class="nl-posts">
          {posts.map((p) => (
            <li>
              <a href={`/admin/newsletters/new?post=${encodeURIComponent(p.id)}`}>{p.title}</a>{" "}
              <span class="muted small">{formatDateTime(c.var.locale, p.published_at, c.var.site.timeZone)}</span>
            </li>
          ))}
        </ul>
      )}
    </>,
  );
}

async function composePage(c: AppContext, s: ComposeState, status: 200 | 422 = 200) {
  const tt = tr(c);
  const db = c.var.services.db;
  const staff = await currentStaff(c);
  const tiers = await tierOffers(db);
  const tags = await allMemberTags(db);
  const zone = c.var.site.timeZone;
  const err = (name: string) =>
    s.errors[name] && (
      <p class="error" id={`f-${name}-error`}>
        {tt(s.errors[name].key, s.errors[name].params)}
      </p>
    );
  return adminPage(
    c,
    tt("newsletter.new.title", { title: s.post.title }),
    <>
      <p class="small">
        <a href="/admin/newsletters">← {tt("newsletter.show.back")}</a>
      </p>
      <h1>{tt("newsletter.new.title", { title: s.post.title })}</h1>
      <p class="muted">
        {tt("newsletter.new.audience", { audience: audienceLabel(c.var.locale, s.post) })} ·{" "}
        {tt("newsletter.new.paywallNote")}
      </p>
      {s.notice && <Notice kind="ok">{s.notice}</Notice>}
      {Object.keys(s.errors).length > 0 && (
        <div class="form-errors" role="alert" tabindex={-1}>
          <ul>
            {Object.entries(s.errors).map(([name, e]) => (
              <li>
                <a href={`#f-${name}`}>{tt(e.key, e.params)}</a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form method="post" action="/admin/newsletters" class="card nl-compose stack">
        <CsrfField c={c} />
        <input type="hidden" name="post" value={s.post.id} />
        <div class="field">
          <label for="f-subject">{tt("newsletter.new.subject")}</label>
          <input
            id="f-subject"
            name="subject"
            value={s.subject}
            maxlength={200}
            required
            aria-invalid={s.errors.subject ? "true" : undefined}
          />
          {err("subject")}
        </div>
        <fieldset class="field nl-segment" id="f-segment">
          <legend>{tt("newsletter.new.segment")}</legend>
          {(["all", "free", "paid"] as const).map((k) => (
            <label class="check">
              <input type="radio" name="segment" value={k} checked={s.segmentKind === k} />
              <span>{tt(`newsletter.segment.${k}`)}</span>
            </label>
          ))}
          {tiers.length > 0 && (
            <>
              <label class="check">
                <input type="radio" name="segment" value="tiers" checked={s.segmentKind === "tiers"} />
                <span>{tt("newsletter.segment.tiers")}</span>
              </label>
              <div class="nl-tiers" id="f-tier">
                {tiers.map((o) => (
                  <label class="check">
                    <input type="checkbox" name="tier" value={o.id} checked={s.tiers.includes(o.id)} />
                    <span>{o.name}</span>
                  </label>
                ))}
              </div>
            </>
          )}
          {tags.length > 0 ? (
            <>
              <label class="check">
                <input type="radio" name="segment" value="tags" checked={s.segmentKind === "tags"} />
                <span>{tt("newsletter.segment.tags")}</span>
              </label>
              <div class="nl-tiers" id="f-tag">
                {tags.map((g) => (
                  <label class="check">
                    <input type="checkbox" name="tag" value={g.tag} checked={s.tags.includes(g.tag)} />
                    <span>
                      {g.tag} <span class="muted small">({formatNumber(c.var.locale, g.members)})</span>
                    </span>
                  </label>
                ))}
              </div>
            </>
          ) : (
            <p class="hint">{tt("newsletter.segment.noTags")}</p>
          )}
          {err("segment")}
          {err("tier")}
          {err("tag")}
        </fieldset>
        <div class="nl-count" role="status">
          {s.count !== null && (
            <strong data-nl-count>{tt("newsletter.new.count", { count: formatNumber(c.var.locale, s.count) })}</strong>
          )}
          <button type="submit" name="action" value="count" class="btn secondary small" formnovalidate>
            {tt("newsletter.new.recount")}
          </button>
        </div>
        <fieldset class="field nl-when" id="f-when">
          <legend>{tt("newsletter.new.when")}</legend>
          <label class="check">
            <input type="radio" name="when" value="now" checked={s.when === "now"} />
            <span>{tt("newsletter.new.now")}</span>
          </label>
          <label class="check">
            <input type="radio" name="when" value="later" checked={s.when === "later"} />
            <span>{tt("newsletter.new.later")}</span>
          </label>
          <label for="f-at" class="small">
            {tt("newsletter.new.at", { zone })}
          </label>
          <input
            id="f-at"
            type="datetime-local"
            name="at"
            value={s.at}
            aria-invalid={s.errors.at ? "true" : undefined}
          />
          {err("at")}
        </fieldset>
        <div class="nl-actions">
          <button type="submit" name="action" value="send" class="btn">
            {tt("newsletter.new.send")}
          </button>
          <button type="submit" name="action" value="test" class="btn secondary" formnovalidate>
            {tt("newsletter.new.test", { email: staff.email })}
          </button>
        </div>
      </form>
    </>,
    status,
  );
}

async function loadPostOr404(db: Db, id: string): Promise<PostForSending> {
  const post = id && id.length <= 64 ? await getPostForSending(db, id) : undefined;
  if (!post) throw new AppError("not_found", 404, "newsletter.error.noPost");
  return post;
}

function parseWhen(
  form: FormData,
  zone: string,
): { when: "now" | "later"; at: string; date: Date | null; error?: FieldError } {
  const when = formValue(form, "when") === "later" ? "later" : "now";
  const at = formValue(form, "at").slice(0, 40);
  if (when === "now") return { when, at, date: null };
  const dt = DateTime.fromISO(at, { zone });
  if (!at || !dt.isValid) return { when, at, date: null, error: { key: "newsletter.error.badDate" } };
  const date = dt.toUTC().toJSDate();
  if (date.getTime() < Date.now() + 30_000) return { when, at, date, error: { key: "newsletter.error.past" } };
  if (date.getTime() > Date.now() + 366 * 86400_000)
    return { when, at, date, error: { key: "newsletter.error.tooFar" } };
  return { when, at, date };
}

async function composePost(c: AppContext) {
  const db = c.var.services.db;
  const form = await readForm(c);
  const post = await loadPostOr404(db, formValue(form, "post"));
  const action = formValue(form, "action");
  const subject = formValue(form, "subject").trim();
  const segmentKind = formValue(form, "segment");
  const rawTiers = form.tier;
  const tiers = (Array.isArray(rawTiers) ? rawTiers : rawTiers ? [rawTiers] : []).slice(0, 200);
  const rawTags = form.tag;
  const tags = (Array.isArray(rawTags) ? rawTags : rawTags ? [rawTags] : []).slice(0, 200);
  const when = parseWhen(form, c.var.site.timeZone);
  const errors: Record<string, FieldError> = {};
  let segment: Segment | null = null;
  try {
    segment = await segmentFromForm(db, segmentKind, tiers, tags);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    Object.assign(errors, err.fields);
  }
  const count = segment ? await countSegment(db, segment) : null;
  const state: ComposeState = { post, subject, segmentKind, tiers, tags, when: when.when, at: when.at, errors, count };
  const staff = await currentStaff(c);

  if (action === "count") return composePage(c, state, Object.keys(errors).length ? 422 : 200);
  if (!subject || subject.length > 200) errors.subject = { key: "newsletter.error.subject" };
  if (action === "test") {
    if (errors.subject) return composePage(c, state, 422);
    await queueTestNewsletter(db, { postId: post.id, staffId: staff.id, subject });
    return composePage(c, { ...state, notice: tr(c)("newsletter.new.testSent", { email: staff.email }) });
  }
  if (action !== "send") throw new AppError("invalid_input", 400);
  const published = await db.selectFrom("posts").select("status").where("id", "=", post.id).executeTakeFirst();
  if (published?.status !== "published") errors.post = { key: "newsletter.error.notPublished" };
  if (when.error) errors.at = when.error;
  if (segment && count === 0) errors.segment = { key: "newsletter.error.empty" };
  if (Object.keys(errors).length > 0 || !segment) return composePage(c, state, 422);
  const id = await createSend(db, { postId: post.id, subject, segment, scheduledAt: when.date, createdBy: staff.id });
  return c.redirect(`/admin/newsletters/${id}`, 303);
}

/* ---------------- admin: one send ---------------- */

function progressPayload(c: AppContext, state: string, f: Figures) {
  const tt = tr(c);
  return {
    state,
    stateLabel: tt(`newsletter.state.${state}`),
    figures: f,
    progressText: tt("newsletter.show.progressText", {
      done: formatNumber(c.var.locale, f.settled),
      total: formatNumber(c.var.locale, f.recipients),
    }),
  };
}

async function showPage(c: AppContext) {
  const tt = tr(c);
  const db = c.var.services.db;
  const send = await getSend(db, c.req.param("id") ?? "");
  if (!send) throw new AppError("not_found", 404);
  const f = await figures(db, send.id);
  const locale = c.var.locale;
  const zone = c.var.site.timeZone;
  const tiers = new Map((await tierOffers(db)).map((o) => [o.id, o.name]));
  const tracking = await trackingEnabled(db);
  const n = (v: number) => formatNumber(locale, v);
  const stat = (key: keyof Figures, label: string) => (
    <div class="stat">
      <div class="value" data-fig={key}>
        {n(f[key])}
      </div>
      <div class="label">{label}</div>
    </div>
  );
  const live = send.state === "sending" || send.state === "scheduled";
  return adminPage(
    c,
    send.subject,
    <>
      <p class="small">
        <a href="/admin/newsletters">← {tt("newsletter.show.back")}</a>
      </p>
      <h1>{send.subject}</h1>
      <p class="nl-meta">
        <span class={stateBadge[send.state]} data-nl-state>
          {tt(`newsletter.state.${send.state}`)}
        </span>{" "}
        <span class="muted">{segmentLabel(locale, parseSegmentJson(send.segment), tiers)}</span>
      </p>
      <p class="muted">
        {send.state === "scheduled" &&
          tt("newsletter.show.scheduledFor", { date: formatDateTime(locale, send.scheduled_at, zone) })}
        {send.started_at && tt("newsletter.show.startedAt", { date: formatDateTime(locale, send.started_at, zone) })}{" "}
        {send.finished_at && tt("newsletter.show.finishedAt", { date: formatDateTime(locale, send.finished_at, zone) })}
      </p>
      {send.state !== "scheduled" && send.state !== "cancelled" && (
        <section
          class="card nl-progress"
          data-nl-progress={live ? `/admin/newsletters/${send.id}/progress.json` : undefined}
        >
          <h2 id="nl-progress-label">{tt("newsletter.show.progress")}</h2>
          <progress
            data-nl-bar
            max={Math.max(1, f.recipients)}
            value={f.settled}
            aria-labelledby="nl-progress-label"
          ></progress>
          <p data-nl-text>{progressPayload(c, send.state, f).progressText}</p>
          {live && (
            <p class="small">
              <a href={`/admin/newsletters/${send.id}`}>{tt("newsletter.show.reload")}</a>
            </p>
          )}
        </section>
      )}
      <div class="stats nl-stats">
        {stat("recipients", tt("newsletter.fig.recipients"))}
        {stat("accepted", tt("newsletter.fig.accepted"))}
        {stat("failed", tt("newsletter.fig.failed"))}
        {stat("bounced", tt("newsletter.fig.bounced"))}
        {stat("unsubscribed", tt("newsletter.fig.unsubscribed"))}
        {stat("skipped", tt("newsletter.fig.skipped"))}
        {tracking && stat("opened", tt("newsletter.fig.opened"))}
        {tracking && stat("clicked", tt("newsletter.fig.clicked"))}
      </div>
      {send.state === "scheduled" && (
        <form method="post" action={`/admin/newsletters/${send.id}/cancel`}>
          <CsrfField c={c} />
          <button type="submit" class="btn secondary">
            {tt("newsletter.show.cancel")}
          </button>
        </form>
      )}
      {live && <script src={assetUrl("newsletter-progress.js" as "app.js")} defer></script>}
    </>,
  );
}

/* ---------------- unsubscribe (public, one click) ---------------- */

async function unsubscribeTarget(c: AppContext, token: string | undefined) {
  const db = c.var.services.db;
  const parsed = readUnsubscribeToken(c.var.services.secret, token);
  if (!parsed) return null;
  const member = (await memberContacts(db, [parsed.memberId])).get(parsed.memberId);
  return member ? { member, sendId: parsed.sendId } : null;
}

function invalidUnsubscribe(c: AppContext) {
  const tt = tr(c);
  return page(
    c,
    { title: tt("newsletter.unsub.title"), noindex: true },
    <div class="narrow">
      <h1>{tt("newsletter.unsub.title")}</h1>
      <p>{tt("newsletter.unsub.invalid")}</p>
    </div>,
    400,
  );
}

/* ---------------- bounce & complaint intake (Postmark) ---------------- */

const hardBounceTypes = new Set([
  "HardBounce",
  "BadEmailAddress",
  "ManuallyDeactivated",
  "Blocked",
  "SpamNotification",
  "Inactive",
]);

function webhookAuthorised(c: AppContext): boolean {
  const expected = process.env.MAIL_WEBHOOK_TOKEN || settings.webhookToken;
  if (!expected) return false;
  const q = c.req.query("token");
  if (q && safeEqual(q, expected)) return true;
  const auth = c.req.header("authorization") ?? "";
  if (auth.startsWith("Basic ")) {
    const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
    const password = decoded.slice(decoded.indexOf(":") + 1);
    return safeEqual(password, expected);
  }
  return false;
}

export async function suppress(
  db: Db,
  email: string,
  reason: "hard_bounce" | "complaint" | "manual",
  detail: string,
): Promise<void> {
  const at = nowIso();
  await transaction(db, async (trx) => {
    await trx
      .insertInto("newsletter_suppressions")
      .values({ email, reason, detail: detail.slice(0, 500), created_at: at })
      .onConflict((oc) => oc.column("email").doNothing())
      .execute();
    const last = await trx
      .selectFrom("newsletter_deliveries")
      .select(["send_id", "member_id"])
      .where("email", "=", email)
      .where("state", "=", "accepted")
      .orderBy("accepted_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (last)
      await trx
        .updateTable("newsletter_deliveries")
        .set({ state: "bounced", reason: `${reason}: ${detail}`.slice(0, 500), updated_at: at })
        .where("send_id", "=", last.send_id)
        .where("member_id", "=", last.member_id)
        .execute();
  });
}

/* ---------------- routes ---------------- */

/**
 * Erasure: delivery rows keep their place in the send's figures but lose the
 * address; opens and clicks go. The suppression list keeps a bounced or
 * complaining address (needed so we never mail it again).
 */
const eraseNewsletterData: Parameters<typeof registerEraseHook>[0] = async (trx, member) => {
  await trx
    .updateTable("newsletter_deliveries")
    .set({ email: "", reason: null })
    .where("member_id", "=", member.id)
    .execute();
  await trx.deleteFrom("newsletter_events").where("member_id", "=", member.id).execute();
};

/** "Download my data": the newsletters sent to the member, their opens and clicks, and a suppression of the address. */
const exportNewsletterData: Parameters<typeof registerAccountExport>[1] = async (db, member) => {
  const [deliveries, events, suppression] = await Promise.all([
    db
      .selectFrom("newsletter_deliveries")
      .innerJoin("newsletter_sends", "newsletter_sends.id", "newsletter_deliveries.send_id")
      .select([
        "newsletter_sends.subject",
        "newsletter_deliveries.email",
        "newsletter_deliveries.state",
        "newsletter_deliveries.reason",
        "newsletter_deliveries.accepted_at as acceptedAt",
        "newsletter_deliveries.opened_at as openedAt",
        "newsletter_deliveries.clicked_at as clickedAt",
        "newsletter_deliveries.unsubscribed_at as unsubscribedAt",
      ])
      .where("newsletter_deliveries.member_id", "=", member.id)
      .orderBy("newsletter_deliveries.send_id")
      .execute(),
    db
      .selectFrom("newsletter_events")
      .select(["send_id as sendId", "kind", "url", "created_at as at"])
      .where("member_id", "=", member.id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("newsletter_suppressions")
      .select(["reason", "detail", "created_at as at"])
      .where("email", "=", member.email)
      .executeTakeFirst(),
  ]);
  return { deliveries, events, suppression: suppression ?? null };
};

const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export function routes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/newsletters", labelKey: "newsletter.nav", order: 25 });
  exemptFromCsrf("/unsubscribe");
  registerEraseHook(eraseNewsletterData);
  registerAccountExport("newsletters", exportNewsletterData);
  app.use("*", async (c, next) => {
    rememberServices(c.var.services);
    await next();
  });

  app.get("/admin/newsletters", (c) => listPage(c));

  app.post("/admin/newsletters/tracking", async (c) => {
    const form = await readForm(c);
    await putSetting(c.var.services.db, TRACKING_SETTING, formValue(form, "tracking") === "on");
    return c.redirect("/admin/newsletters", 303);
  });

  app.get("/admin/newsletters/new", async (c) => {
    const id = c.req.query("post");
    if (!id) return postPicker(c);
    const db = c.var.services.db;
    const post = await loadPostOr404(db, id);
    return composePage(c, {
      post,
      subject: post.title,
      segmentKind: "all",
      tiers: [],
      tags: [],
      when: "now",
      at: "",
      errors: {},
      count: await countSegment(db, { kind: "all" }),
    });
  });

  app.post("/admin/newsletters", (c) => composePost(c));

  app.get("/admin/newsletters/:id/progress.json", async (c) => {
    const db = c.var.services.db;
    const send = await getSend(db, c.req.param("id"));
    if (!send) throw new AppError("not_found", 404);
    c.header("Cache-Control", "no-store");
    return c.json(progressPayload(c, send.state, await figures(db, send.id)));
  });

  app.post("/admin/newsletters/:id/cancel", async (c) => {
    await readForm(c);
    const id = c.req.param("id");
    if (!(await getSend(c.var.services.db, id))) throw new AppError("not_found", 404);
    await cancelScheduled(c.var.services.db, id);
    return c.redirect(`/admin/newsletters/${id}`, 303);
  });

  app.get("/admin/newsletters/:id", (c) => showPage(c));

  // RFC 8058: the GET only shows a confirmation (mail scanners open links); the POST unsubscribes.
  app.get("/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const target = await unsubscribeTarget(c, token);
    if (!target) return invalidUnsubscribe(c);
    const tt = tr(c);
    const site = c.var.site;
    return page(
      c,
      { title: tt("newsletter.unsub.title"), noindex: true },
      <div class="narrow">
        <h1>{tt("newsletter.unsub.title")}</h1>
        <p>{tt("newsletter.unsub.confirm", { site: site.name, email: target.member.email })}</p>
        <form method="post" action={`/unsubscribe?token=${encodeURIComponent(token!)}`}>
          <button type="submit" class="btn">
            {tt("newsletter.unsub.button")}
          </button>
        </form>
      </div>,
    );
  });

  app.post("/unsubscribe", async (c) => {
    let token = c.req.query("token");
    if (!token) {
      // RFC 8058 one-click posts carry no token in the body; a form may. Any other body is no token.
      const fields = await readForm(c).catch(() => ({}) as FormData);
      token = typeof fields.token === "string" ? fields.token : undefined;
    }
    const target = await unsubscribeTarget(c, token);
    if (!target) return invalidUnsubscribe(c);
    const db = c.var.services.db;
    const site = c.var.site;
    const { member, sendId } = target;
    if (member.email_opt_in === 1) {
      const locale: Locale = isLocale(member.locale) ? member.locale : site.locale;
      // updateMember writes the consent row and consent.withdrawn in one transaction.
      await updateMember(
        db,
        member.id,
        {
          emailOptIn: false,
          consentWording: t(locale, "newsletter.unsub.wording", { site: site.name }),
          consentLocale: locale,
          ip: clientIp(c),
        },
        "member",
      );
    }
    if (sendId)
      await db
        .updateTable("newsletter_deliveries")
        .set({ unsubscribed_at: nowIso() })
        .where("send_id", "=", sendId)
        .where("member_id", "=", member.id)
        .where("unsubscribed_at", "is", null)
        .execute();
    const tt = tr(c);
    return page(
      c,
      { title: tt("newsletter.unsub.title"), noindex: true },
      <div class="narrow">
        <h1>{tt("newsletter.unsub.title")}</h1>
        <p data-unsubscribed>{tt("newsletter.unsub.done", { site: site.name })}</p>
      </div>,
    );
  });

  app.post("/webhooks/mail/postmark", async (c) => {
    if (!webhookAuthorised(c)) throw new AppError("not_found", 404);
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      throw new AppError("invalid_input", 400);
    }
    const email = typeof body.Email === "string" ? body.Email.trim().toLowerCase() : "";
    if (!email || email.length > 320 || !email.includes("@")) throw new AppError("invalid_input", 400);
    const db = c.var.services.db;
    const record = String(body.RecordType ?? "");
    const type = String(body.Type ?? "");
    if (record === "SpamComplaint") {
      await suppress(db, email, "complaint", type || "SpamComplaint");
      const member = await memberContactByEmail(db, email);
      if (member)
        await recordEvent(db, emailComplained, { provider: "postmark" }, { memberId: member.id, actor: "system" });
      if (member?.email_opt_in === 1) {
        const locale: Locale = isLocale(member.locale) ? member.locale : c.var.site.locale;
        await updateMember(
          db,
          member.id,
          { emailOptIn: false, consentWording: "spam complaint reported by the mail provider", consentLocale: locale },
          "system",
        );
      }
      return c.json({ ok: true, suppressed: true });
    }
    if (record === "Bounce" && hardBounceTypes.has(type)) {
      await suppress(db, email, "hard_bounce", `${type} ${String(body.Description ?? "")}`.trim());
      const member = await memberContactByEmail(db, email);
      // The owner sees on the member's timeline why their emails stopped.
      if (member)
        await recordEvent(db, emailBounced, { provider: "postmark", type }, { memberId: member.id, actor: "system" });
      return c.json({ ok: true, suppressed: true });
    }
    return c.json({ ok: true, suppressed: false });
  });

  // Tracking (only links in emails sent while the creator had it on point here).
  app.get("/nl/o/:file", async (c) => {
    const token = c.req.param("file").replace(/\.gif$/, "");
    const p = readTrackingToken(c.var.services.secret, token);
    if (p) await recordTracking(c.var.services.db, p.sendId, p.memberId, "open", null);
    return c.body(new Uint8Array(gif), 200, { "Content-Type": "image/gif", "Cache-Control": "no-store" });
  });
  app.get("/nl/c/:token", async (c) => {
    const token = c.req.param("token");
    const url = c.req.query("u") ?? "";
    const secret = c.var.services.secret;
    const p = readTrackingToken(secret, token);
    if (!p || !/^https?:\/\//.test(url) || !safeEqual(c.req.query("s") ?? "", linkSignature(secret, p.sendId, url)))
      throw new AppError("not_found", 404);
    await recordTracking(c.var.services.db, p.sendId, p.memberId, "click", url);
    return c.redirect(url, 302);
  });
}

async function recordTracking(
  db: Db,
  sendId: string,
  memberId: string,
  kind: "open" | "click",
  url: string | null,
): Promise<void> {
  const at = nowIso();
  const row = await db
    .selectFrom("newsletter_deliveries")
    .select(["opened_at", "clicked_at"])
    .where("send_id", "=", sendId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  if (!row) return;
  await db
    .insertInto("newsletter_events")
    .values({ id: newId(), send_id: sendId, member_id: memberId, kind, url, created_at: at })
    .execute();
  const col = kind === "open" ? "opened_at" : "clicked_at";
  // A click proves an open too.
  const patch =
    kind === "click" && !row.opened_at
      ? { clicked_at: row.clicked_at ?? at, opened_at: at }
      : { [col]: row[col] ?? at };
  await db
    .updateTable("newsletter_deliveries")
    .set(patch)
    .where("send_id", "=", sendId)
    .where("member_id", "=", memberId)
    .execute();
}
