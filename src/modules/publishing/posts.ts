import { sql } from "kysely";
import { z } from "zod";
import { transaction, ilike, likeEscape, type Db } from "../../platform/db/index.ts";
import { AppError, invalidInput, type FieldError } from "../../platform/http/errors.ts";
import { field, parseInput } from "../../platform/http/validation.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { renderBody, slugify, slugPattern } from "./content.ts";
import { findPost, type AudienceChoice, type PostRow } from "./service.ts";

export const limits = { title: 200, slug: 80, excerpt: 500, body: 200_000, tags: 10, tag: 40 };

export type PostAction = "save" | "publish" | "unpublish";

/** What the editor form submits (strings, as forms give them). */
export interface PostInput {
  title: string;
  slug: string;
  excerpt: string;
  body: string;
  tags: string;
  audience: string;
  offers: string[];
  /** "YYYY-MM-DDTHH:MM" in the site's time zone, or "". */
  publishAt: string;
  commentsEnabled: boolean;
  coverFileId?: string | null;
}

/** The editor's text fields and their limits (a longer value is a 422 naming the limit). */
export const postFieldsSchema = z.object({
  title: field.text(limits.title),
  slug: field.text(limits.slug, { optional: true }),
  excerpt: field.longText(limits.excerpt, { optional: true }),
  body: field.longText(limits.body, { optional: true }),
  tags: field.text(1000, { optional: true }),
  audience: z.enum(["public", "members", "paid", "offers"], { error: "validation.invalid" }),
  publishAt: z.string().max(40, "validation.invalid"),
});

/** "2026-11-23T09:30" read in `timeZone` → ISO UTC, or null when it is not a real time. */
export function localToUtc(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59)
    return null;
  // Find the offset at that instant (twice, to settle across a DST change).
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - offsetMs(guess, timeZone);
  return new Date(guess).toISOString();
}

function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** ISO UTC → "YYYY-MM-DDTHH:MM" in `timeZone` (for datetime-local inputs). */
export function utcToLocal(iso: string | null, timeZone: string): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  const local = new Date(at + offsetMs(at, timeZone));
  return local.toISOString().slice(0, 16);
}

export interface ParsedTags {
  names: string[];
  slugs: string[];
}

export function parseTags(raw: string): ParsedTags | FieldError {
  const names: string[] = [];
  const slugs: string[] = [];
  for (const part of raw.split(",")) {
    const name = part.normalize("NFC").replace(/\s+/g, " ").trim();
    if (!name) continue;
    if (name.length > limits.tag) return { key: "publishing.errors.tagTooLong", params: { max: limits.tag } };
    const slug = slugify(name, 60);
    if (!slug) return { key: "publishing.errors.tagInvalid", params: { tag: name.slice(0, 40) } };
    if (slugs.includes(slug)) continue;
    names.push(name);
    slugs.push(slug);
  }
  if (names.length > limits.tags) return { key: "publishing.errors.tooManyTags", params: { max: limits.tags } };
  return { names, slugs };
}

async function uniqueSlug(db: Db, base: string, exceptId: string | null): Promise<string> {
  const root = base || "article";
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? root : `${root.slice(0, limits.slug - 5)}-${n}`;
    const hit = await db.selectFrom("posts").select("id").where("slug", "=", candidate).executeTakeFirst();
    if (!hit || hit.id === exceptId) return candidate;
  }
  return `${root.slice(0, 40)}-${newId().slice(-12)}`;
}

export interface SaveContext {
  timeZone: string;
  staffId: string | null;
  /** Valid tier offer ids, to check "chosen tiers". */
  tierIds: string[];
}

/**
 * Validates and saves a post (new when id is null) in one transaction: the
 * row, its rendered teaser/paid parts and its tags. Throws 422 with field
 * errors, or 409 when the slug is taken; nothing is stored then.
 */
export function validatePost(input: PostInput, ctx: SaveContext) {
  const v = parseInput(postFieldsSchema, input);
  const errors: Record<string, FieldError> = {};
  const slug = v.slug.toLowerCase();
  const slugGiven = slug !== "";
  if (slugGiven && !slugPattern.test(slug)) errors.slug = { key: "publishing.errors.slug" };
  const tags = parseTags(v.tags);
  if ("key" in tags) errors.tags = tags;
  const offers = v.audience === "offers" ? [...new Set(input.offers)].filter((o) => ctx.tierIds.includes(o)) : [];
  if (v.audience === "offers" && (offers.length === 0 || offers.length !== new Set(input.offers).size))
    errors.offers = { key: "publishing.errors.offers" };
  let publishAtIso: string | null = null;
  if (v.publishAt.trim()) {
    publishAtIso = localToUtc(v.publishAt, ctx.timeZone);
    if (!publishAtIso) errors.publishAt = { key: "publishing.errors.publishAt" };
  }
  if (Object.keys(errors).length) throw invalidInput(errors);
  return { ...v, slug, slugGiven, tags: tags as ParsedTags, offers, publishAtIso };
}

export async function savePost(
  db: Db,
  id: string | null,
  input: PostInput,
  action: PostAction,
  ctx: SaveContext,
  now = new Date(),
): Promise<PostRow> {
  const valid = validatePost(input, ctx);
  const { slugGiven, tags, offers, publishAtIso, ...v } = valid;
  let slug = valid.slug;
  return transaction(db, async (trx) => {
    const existing = id ? await findPost(trx, id) : undefined;
    if (id && !existing) throw new AppError("not_found", 404);
    if (!slugGiven)
      slug = existing && existing.title === v.title ? existing.slug : await uniqueSlug(trx, slugify(v.title), id);
    const clash = await trx.selectFrom("posts").select("id").where("slug", "=", slug).executeTakeFirst();
    if (clash && clash.id !== id)
      throw new AppError("conflict", 409, "publishing.errors.slugTaken", {
        slug: { key: "publishing.errors.slugTaken" },
      });

    const audience = v.audience as AudienceChoice;
    const rendered = renderBody(v.body, audience === "public");
    const at = now.toISOString();
    let status: PostRow["status"] = existing?.status ?? "draft";
    let publishedAt = existing?.published_at ?? null;
    let publishAt = existing?.publish_at ?? null;
    if (action === "publish") {
      if (publishAtIso && publishAtIso > at) {
        status = "scheduled";
        publishAt = publishAtIso;
      } else {
        status = "published";
        publishAt = null;
        // Re-publishing keeps the original date; a first publication may be back-dated.
        publishedAt = publishAtIso ?? publishedAt ?? at;
      }
    } else if (action === "unpublish") {
      status = "draft";
      publishAt = null;
    } else if (status === "scheduled") {
      // Saving a scheduled post keeps it scheduled at the (possibly new) time.
      if (publishAtIso && publishAtIso > at) publishAt = publishAtIso;
      else if (!publishAtIso) {
        status = "draft";
        publishAt = null;
      }
    } else if (status === "published" && publishAtIso) {
      publishedAt = publishAtIso;
    } else if (status === "draft") {
      publishAt = publishAtIso;
    }

    const row = {
      slug,
      title: v.title,
      excerpt: v.excerpt,
      body_md: v.body,
      teaser_html: rendered.teaserHtml,
      paid_html: rendered.paidHtml,
      teaser_text: rendered.teaserText,
      paid_text: rendered.paidText,
      cover_file_id: input.coverFileId === undefined ? (existing?.cover_file_id ?? null) : input.coverFileId,
      audience,
      audience_offers: JSON.stringify(offers),
      status,
      publish_at: publishAt,
      published_at: publishedAt,
      reading_minutes: rendered.readingMinutes,
      comments_enabled: input.commentsEnabled ? 1 : 0,
      updated_at: at,
    };
    const postId = id ?? newId();
    if (existing) await trx.updateTable("posts").set(row).where("id", "=", postId).execute();
    else
      await trx
        .insertInto("posts")
        .values({ ...row, id: postId, author_id: ctx.staffId, created_at: at })
        .execute();
    await setPostTags(trx, postId, tags);
    return (await findPost(trx, postId))!;
  });
}

async function setPostTags(db: Db, postId: string, tags: ParsedTags): Promise<void> {
  await db.deleteFrom("post_tags").where("post_id", "=", postId).execute();
  for (let i = 0; i < tags.slugs.length; i++) {
    const slug = tags.slugs[i]!;
    let tag = await db.selectFrom("tags").select("id").where("slug", "=", slug).executeTakeFirst();
    if (!tag) {
      tag = { id: newId() };
      await db.insertInto("tags").values({ id: tag.id, slug, name: tags.names[i]!, created_at: nowIso() }).execute();
    }
    await db.insertInto("post_tags").values({ post_id: postId, tag_id: tag.id, position: i }).execute();
  }
  // Tags no post uses any more disappear from tag pages and the sitemap.
  await db
    .deleteFrom("tags")
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("post_tags").select("post_tags.tag_id").whereRef("post_tags.tag_id", "=", "tags.id"))),
    )
    .execute();
}

export async function deletePost(db: Db, id: string): Promise<void> {
  await transaction(db, async (trx) => {
    await trx.deleteFrom("comments").where("post_id", "=", id).execute();
    await trx.deleteFrom("post_tags").where("post_id", "=", id).execute();
    await trx.deleteFrom("posts").where("id", "=", id).execute();
    await trx
      .deleteFrom("tags")
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("post_tags").select("post_tags.tag_id").whereRef("post_tags.tag_id", "=", "tags.id"))),
      )
      .execute();
  });
}

/** Publishes every scheduled post whose time has come (the recurring job). Returns how many. */
export async function publishDuePosts(db: Db, now = nowIso()): Promise<number> {
  const due = await db
    .selectFrom("posts")
    .select(["id", "publish_at"])
    .where("status", "=", "scheduled")
    .where("publish_at", "<=", now)
    .execute();
  let n = 0;
  for (const p of due) {
    // The status guard makes a second worker's run a no-op.
    const r = await db
      .updateTable("posts")
      .set({ status: "published", published_at: p.publish_at, publish_at: null, updated_at: now })
      .where("id", "=", p.id)
      .where("status", "=", "scheduled")
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

export interface AdminPostFilter {
  status?: string;
  q?: string;
  page: number;
  perPage: number;
}

export async function listPostsForAdmin(db: Db, f: AdminPostFilter) {
  let q = db.selectFrom("posts");
  if (f.status === "draft" || f.status === "scheduled" || f.status === "published")
    q = q.where("status", "=", f.status);
  if (f.q) {
    const pattern = `%${likeEscape(f.q)}%`;
    q = q.where((eb) => eb.or([ilike(db, eb.ref("title"), pattern), ilike(db, eb.ref("slug"), pattern)]));
  }
  const [rows, total] = await Promise.all([
    q
      .select(["id", "slug", "title", "status", "audience", "publish_at", "published_at", "updated_at"])
      .orderBy(sql`coalesce(published_at, publish_at, updated_at)`, "desc")
      .orderBy("id", "desc")
      .limit(f.perPage)
      .offset((f.page - 1) * f.perPage)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** Published posts, newest first, optionally by tag (archive, RSS). */
export async function listPublished(
  db: Db,
  opts: { tagId?: string; limit: number; offset: number; publicOnly?: boolean },
) {
  let q = db.selectFrom("posts").where("posts.status", "=", "published");
  if (opts.publicOnly) q = q.where("posts.audience", "=", "public");
  if (opts.tagId)
    q = q.innerJoin("post_tags", "post_tags.post_id", "posts.id").where("post_tags.tag_id", "=", opts.tagId);
  const [rows, total] = await Promise.all([
    q
      .select([
        "posts.id",
        "posts.slug",
        "posts.title",
        "posts.excerpt",
        "posts.teaser_text",
        "posts.teaser_html",
        "posts.audience",
        "posts.audience_offers",
        "posts.cover_file_id",
        "posts.published_at",
        "posts.reading_minutes",
        "posts.updated_at",
      ])
      .orderBy("posts.published_at", "desc")
      .orderBy("posts.id", "desc")
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}
export type PublishedListRow = Awaited<ReturnType<typeof listPublished>>["rows"][number];
