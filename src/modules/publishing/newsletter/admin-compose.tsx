import { audienceLabel } from "./admin-labels.ts";
import { DateTime } from "luxon";
import { adminPage } from "../../../platform/views/admin-layout.tsx";
import { currentStaff, staffActorOf } from "../../staff/index.ts";
import { runOperation } from "../../../platform/operations.ts";
import { createSendOp } from "./operations.ts";
import { type Db } from "../../../platform/db/index.ts";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { AppError, type FieldError } from "../../../platform/http/errors.ts";
import { readForm, formValue, type FormData } from "../../../platform/http/forms.ts";
import { formatDateTime, formatNumber } from "../../../platform/i18n/index.ts";
import { queueTestNewsletter } from "./test-mail.ts";
import { CsrfField, Notice } from "../../../platform/views/components.tsx";
import { getPostForSending, type PostForSending } from "../service.ts";
import { countSegment, segmentFromForm, tierOffers, type Segment } from "./segments.ts";
import { allMemberTags } from "../../members/index.ts";

/* ---------------- admin: compose ---------------- */

export interface ComposeState {
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

export async function postPicker(c: AppContext) {
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

export async function composePage(c: AppContext, s: ComposeState, status: 200 | 422 = 200) {
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

export async function loadPostOr404(db: Db, id: string): Promise<PostForSending> {
  const post = id && id.length <= 64 ? await getPostForSending(db, id) : undefined;
  if (!post) throw new AppError("not_found", 404, "newsletter.error.noPost");
  return post;
}

export function parseWhen(
  form: FormData,
  zone: string,
  nowMs: number,
): { when: "now" | "later"; at: string; date: Date | null; error?: FieldError } {
  const when = formValue(form, "when") === "later" ? "later" : "now";
  const at = formValue(form, "at").slice(0, 40);
  if (when === "now") return { when, at, date: null };
  const dt = DateTime.fromISO(at, { zone });
  if (!at || !dt.isValid) return { when, at, date: null, error: { key: "newsletter.error.badDate" } };
  const date = dt.toUTC().toJSDate();
  if (date.getTime() < nowMs + 30_000) return { when, at, date, error: { key: "newsletter.error.past" } };
  if (date.getTime() > nowMs + 366 * 86400_000) return { when, at, date, error: { key: "newsletter.error.tooFar" } };
  return { when, at, date };
}

export async function composePost(c: AppContext) {
  const db = c.var.services.db;
  const form = await readForm(c);
  const post = await loadPostOr404(db, formValue(form, "post"));
  const action = formValue(form, "action");
  const subject = formValue(form, "subject").trim();
  const segmentKind = formValue(form, "segment");
  const rawTiers = form.tier;
  // Never cut: more than the segment allows is a 422 naming the limit (segmentFromForm).
  const tiers = Array.isArray(rawTiers) ? rawTiers : rawTiers ? [rawTiers] : [];
  const rawTags = form.tag;
  const tags = Array.isArray(rawTags) ? rawTags : rawTags ? [rawTags] : [];
  const when = parseWhen(form, c.var.site.timeZone, c.var.services.clock.nowMs());
  const errors: Record<string, FieldError> = {};
  let segment: Segment | null = null;
  try {
    segment = await segmentFromForm(db, segmentKind, tiers, tags);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    Object.assign(errors, err.fields);
  }
  const count = segment ? await countSegment(db, segment, c.var.services.clock.nowIso()) : null;
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
  const { id } = await runOperation(c.var.services, createSendOp, await staffActorOf(c), {
    postId: post.id,
    subject,
    segment,
    scheduledAt: when.date,
  });
  return c.redirect(`/admin/newsletters/${id}`, 303);
}
