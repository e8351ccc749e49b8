/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import { tierOffers } from "../offers/index.ts";
import { canAccess, decide, viewerOf, type Viewer } from "../access/index.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { markCacheable } from "../../platform/http/page-cache.ts";
import { findFile, serveStoredFile } from "../../platform/storage/index.ts";
import { page } from "../../platform/views/layout.tsx";
import { t as translate } from "../../platform/i18n/index.ts";
import { addComment, countVisibleComments, isBlocked, visibleComments } from "./comments.ts";
import { listPublished } from "./posts.ts";
import { postPageBySlug, type PagePost, type PostPageData } from "./post-page-query.ts";
import {
  contentChanged,
  findPostBySlug,
  postResource,
  postUrl,
  tagsOfPost,
  tagsOfPosts,
  type PostRow,
} from "./service.ts";
import {
  ArchiveList,
  PageHead,
  Pager,
  PostArticle,
  mediaUrl,
  publicSummary,
  type ArchiveItem,
  type CommentMode,
} from "./views.tsx";

export const perPage = 12;
/** Files a post may show: anyone may fetch them by their unguessable id (UUIDv7, 74 random bits). */
export const postFilePurposes = new Set(["post-image", "post-cover"]);

function isAnonymous(c: AppContext): boolean {
  return !c.var.memberSession && !c.var.staffSession;
}

/** Anonymous pages are the same for every anonymous visitor: let the page cache and shared caches keep them. */
function shareIfAnonymous(c: AppContext): void {
  if (!isAnonymous(c)) return;
  markCacheable(c);
  c.header("Cache-Control", "public, max-age=60, stale-while-revalidate=300");
  c.header("Vary", "Accept-Language, Cookie");
}

function pageNumber(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new AppError("not_found", 404);
  return Number(raw);
}

async function archiveItems(
  c: AppContext,
  rows: Awaited<ReturnType<typeof listPublished>>["rows"],
): Promise<ArchiveItem[]> {
  const db = c.var.services.db;
  const ids = rows.map((r) => r.id);
  const [tags, counts] = await Promise.all([tagsOfPosts(db, ids), countVisibleComments(db, ids)]);
  return rows.map((post) => ({ post, tags: tags.get(post.id) ?? [], comments: counts.get(post.id) ?? 0 }));
}

export function absoluteUrl(c: AppContext, path: string): string {
  return `${c.var.services.config.publicUrl}${path}`;
}

/** OpenGraph and Twitter card tags: title, public summary and cover only, never the paid part. */
function postHead(c: AppContext, post: PagePost, description: string) {
  const url = absoluteUrl(c, postUrl(post.slug));
  const image = post.cover_file_id ? absoluteUrl(c, mediaUrl(post.cover_file_id)) : null;
  return (
    <>
      <link rel="canonical" href={url} />
      <meta property="og:type" content="article" />
      <meta property="og:site_name" content={c.var.site.name} />
      <meta property="og:title" content={post.title} />
      {description && <meta property="og:description" content={description} />}
      <meta property="og:url" content={url} />
      {image && <meta property="og:image" content={image} />}
      {post.published_at && <meta property="article:published_time" content={post.published_at} />}
      <meta name="twitter:card" content={image ? "summary_large_image" : "summary"} />
      <meta name="twitter:title" content={post.title} />
      {description && <meta name="twitter:description" content={description} />}
      {image && <meta name="twitter:image" content={image} />}
    </>
  );
}

async function renderPostPage(
  c: AppContext,
  post: PagePost,
  comment?: { error: string; value: string },
  loaded?: Omit<PostPageData, "post">,
) {
  const db = c.var.services.db;
  const viewer: Viewer = viewerOf(c);
  const canRead = await canAccess(db, viewer, postResource(post));
  const [tags, comments] = loaded
    ? [loaded.tags, canRead ? loaded.comments : []]
    : await Promise.all([tagsOfPost(db, post.id), canRead ? visibleComments(db, post.id) : Promise.resolve([])]);
  let mode: CommentMode = "hidden";
  if (canRead) {
    if (!post.comments_enabled) mode = "closed";
    else if (viewer.kind === "anonymous") mode = "login";
    else if (viewer.kind === "staff" && !c.var.memberSession) mode = "none";
    else if (c.var.memberSession && (await isBlocked(db, c.var.memberSession.subjectId))) mode = "blocked";
    else mode = "form";
  }
  if (viewer.kind === "anonymous") shareIfAnonymous(c);
  else c.header("Cache-Control", "private, no-store");
  const description = publicSummary(post, 200) || c.var.site.tagline;
  return page(
    c,
    { title: post.title, description: description || undefined, head: postHead(c, post, description) },
    <PostArticle
      c={c}
      post={post}
      tags={tags}
      canRead={canRead}
      viewer={viewer.kind}
      comments={comments}
      commentMode={mode}
      commentErrors={comment?.error}
      commentValue={comment?.value}
    />,
    comment ? 422 : 200,
  );
}

async function publishedBySlug(c: AppContext): Promise<PostRow> {
  const slug = c.req.param("slug") ?? "";
  const post = slug.length <= 200 ? await findPostBySlug(c.var.services.db, slug) : undefined;
  if (!post || post.status !== "published") throw new AppError("not_found", 404);
  return post;
}

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/post-media/:id", async (c) => {
    const file = await findFile(c.var.services.db, c.req.param("id"));
    if (!file || !postFilePurposes.has(file.purpose)) throw new AppError("not_found", 404);
    return serveStoredFile(c, file, { cacheControl: "public, max-age=31536000, immutable" });
  });

  const archive = async (c: AppContext) => {
    const t = tr(c);
    const n = pageNumber(c.req.param("n"));
    const { rows, total } = await listPublished(c.var.services.db, { limit: perPage, offset: (n - 1) * perPage });
    const pages = Math.max(1, Math.ceil(total / perPage));
    if (n > pages) throw new AppError("not_found", 404);
    shareIfAnonymous(c);
    const items = await archiveItems(c, rows);
    return page(
      c,
      {
        title: n > 1 ? `${t("publishing.archive.title")} (${n})` : t("publishing.archive.title"),
        description: t("publishing.archive.description", { site: c.var.site.name }),
      },
      <div class="archive">
        <PageHead
          eyebrow={c.var.site.name}
          title={t("publishing.archive.title")}
          lead={c.var.site.tagline || undefined}
        />
        <div class="narrow">
          {items.length === 0 ? (
            <p class="muted archive-empty">{t("publishing.archive.empty")}</p>
          ) : (
            <ArchiveList c={c} items={items} />
          )}
          <Pager c={c} page={n} pages={pages} base="/blog" />
          <p class="archive-feed small">
            <a href="/rss.xml">{t("publishing.archive.rss")}</a>
          </p>
        </div>
      </div>,
    );
  };
  app.get("/blog", archive);
  app.get("/blog/page/:n", archive);

  const tagPage = async (c: AppContext) => {
    const t = tr(c);
    const db = c.var.services.db;
    const slug = c.req.param("slug") ?? "";
    const tag =
      slug.length <= 80
        ? await db.selectFrom("tags").selectAll().where("slug", "=", slug).executeTakeFirst()
        : undefined;
    if (!tag) throw new AppError("not_found", 404);
    const n = pageNumber(c.req.param("n"));
    const { rows, total } = await listPublished(db, { tagId: tag.id, limit: perPage, offset: (n - 1) * perPage });
    const pages = Math.max(1, Math.ceil(total / perPage));
    if (total === 0 || n > pages) throw new AppError("not_found", 404);
    shareIfAnonymous(c);
    const items = await archiveItems(c, rows);
    return page(
      c,
      { title: `#${tag.name}`, description: t("publishing.tag.description", { tag: tag.name, site: c.var.site.name }) },
      <div class="archive">
        <PageHead
          eyebrow={t("publishing.tag.eyebrow")}
          title={`#${tag.name}`}
          lead={t("publishing.tag.count", { n: total })}
        />
        <div class="narrow">
          <ArchiveList c={c} items={items} />
          <Pager c={c} page={n} pages={pages} base={`/tag/${tag.slug}`} />
          <p class="archive-feed small">
            <a href="/blog">← {t("publishing.tag.all")}</a>
          </p>
        </div>
      </div>,
    );
  };
  app.get("/tag/:slug", tagPage);
  app.get("/tag/:slug/page/:n", tagPage);

  // On PostgreSQL one statement for the post, its tags and its comments (post-page-query.ts).
  app.get("/p/:slug", async (c) => {
    const slug = c.req.param("slug") ?? "";
    const data = slug.length <= 200 ? await postPageBySlug(c.var.services.db, slug) : undefined;
    if (!data || data.post.status !== "published") throw new AppError("not_found", 404);
    return renderPostPage(c, data.post, undefined, data.loaded);
  });

  app.post("/p/:slug/comments", async (c) => {
    const post = await publishedBySlug(c);
    const session = c.var.memberSession;
    if (!session) return c.redirect(`/login?next=${encodeURIComponent(postUrl(post.slug))}`, 303);
    const db = c.var.services.db;
    const form = await readForm(c);
    const viewer: Viewer = { kind: "member", memberId: session.subjectId };
    if (!(await canAccess(db, viewer, postResource(post)))) throw new AppError("forbidden", 403);
    if (!post.comments_enabled) throw new AppError("forbidden", 403, "publishing.comments.closed");
    const body = formValue(form, "body");
    try {
      const id = await addComment(db, post.id, session.subjectId, body);
      contentChanged();
      return c.redirect(`${postUrl(post.slug)}#c-${id}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_input") {
        const f = err.fields.body;
        return renderPostPage(c, post, {
          error: translate(c.var.locale, f?.key ?? "error.invalid_input", f?.params),
          value: body.slice(0, 3000),
        });
      }
      throw err;
    }
  });
}

/** The admin's previews: the post as a free or a paying member would see it, decided by the access policy. */
export async function previewDecision(c: AppContext, post: PostRow, as: "free" | "paid"): Promise<boolean> {
  const db = c.var.services.db;
  const tiers = await tierOffers(db);
  const holdings = {
    offers: new Set(as === "paid" ? tiers.map((t) => t.id) : []),
    resources: new Set<string>(),
    paid: as === "paid",
    memberExists: true,
  };
  return decide({ kind: "member", memberId: "preview" }, holdings, postResource(post));
}
