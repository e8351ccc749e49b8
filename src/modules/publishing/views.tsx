/** @jsxImportSource #html-jsx */
import type { Child } from "hono/jsx";
import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { CsrfField } from "../../platform/views/components.tsx";
import { logoUrl } from "../../platform/views/layout.tsx";
import { markdownToText } from "../../platform/markdown.ts";
import type { CommentView } from "./comments.ts";
import { commentLimits } from "./comments.ts";
import type { PostRow, TagRef } from "./service.ts";
import { postUrl } from "./service.ts";

export function mediaUrl(fileId: string): string {
  return `/post-media/${fileId}`;
}

/** What a post's badge says about who may read it. */
export function audienceLabel(c: AppContext, audience: PostRow["audience"]): string | null {
  const t = tr(c);
  if (audience === "members") return t("publishing.audience.badge.members");
  if (audience === "paid" || audience === "offers") return t("publishing.audience.badge.paid");
  return null;
}

/** The description shown in lists, meta tags and feeds: never anything from the paid part. */
export function publicSummary(post: Pick<PostRow, "excerpt" | "teaser_text">, max = 220): string {
  const source = post.excerpt.trim() || post.teaser_text;
  return markdownToText(source, max);
}

export type CommentMode = "form" | "login" | "blocked" | "closed" | "none" | "hidden";

/** What the reading page shows of a post (the page reads these columns only, post-page-query.ts). */
export type ShownPost = Omit<PostRow, "body_md" | "paid_text">;

export interface PostViewProps {
  c: AppContext;
  post: ShownPost;
  tags: TagRef[];
  canRead: boolean;
  /** "anonymous" asks to join, "member" to upgrade. */
  viewer: "anonymous" | "member" | "staff";
  comments: CommentView[];
  commentMode: CommentMode;
  commentErrors?: string;
  commentValue?: string;
  /** Admin previews leave out the join box and comment form. */
  preview?: boolean;
}

function Paywall({ c, post, viewer }: { c: AppContext; post: ShownPost; viewer: PostViewProps["viewer"] }) {
  const t = tr(c);
  const next = encodeURIComponent(postUrl(post.slug));
  const membersOnly = post.audience === "members";
  return (
    <aside class="post-paywall" aria-labelledby="paywall-title">
      <span class="post-paywall-lock" aria-hidden="true">
        ✦
      </span>
      <h2 id="paywall-title">
        {membersOnly ? t("publishing.paywall.members.title") : t("publishing.paywall.paid.title")}
      </h2>
      <p>
        {membersOnly
          ? t("publishing.paywall.members.lead", { site: c.var.site.name })
          : t("publishing.paywall.paid.lead", { site: c.var.site.name })}
      </p>
      <p class="post-paywall-actions">
        {viewer === "anonymous" && membersOnly && (
          <a class="btn" href={`/join?next=${next}`}>
            {t("publishing.paywall.join")}
          </a>
        )}
        {!membersOnly && (
          <a class="btn" href="/pricing">
            {viewer === "member" ? t("publishing.paywall.upgrade") : t("publishing.paywall.plans")}
          </a>
        )}
        {viewer === "anonymous" && (
          <a class="btn secondary" href={`/login?next=${next}`}>
            {t("publishing.paywall.login")}
          </a>
        )}
      </p>
    </aside>
  );
}

/** The creator's card at the end of a post: who writes, and a way to follow. */
export function AuthorBox({ c }: { c: AppContext }) {
  const t = tr(c);
  const site = c.var.site;
  const logo = logoUrl(site.logoFileId);
  const story = markdownToText(site.storyMarkdown, 260);
  return (
    <aside class="author-box" aria-labelledby="author-title">
      <div class="author-head">
        {logo ? (
          <img src={logo} alt="" width="56" height="56" />
        ) : (
          <span class="author-initial" aria-hidden="true">
            {site.name.slice(0, 1)}
          </span>
        )}
        <div>
          <p class="eyebrow">{t("publishing.author.eyebrow")}</p>
          <h2 id="author-title">{site.name}</h2>
        </div>
      </div>
      {site.tagline && <p class="author-tagline">{site.tagline}</p>}
      {story && <p class="author-story">{story}</p>}
      <p class="author-links">
        <a href="/about">{t("publishing.author.more")}</a>
        <a href="/blog">{t("publishing.author.archive")}</a>
      </p>
      {c.var.memberSession ? null : (
        <form method="post" action="/join" class="author-join">
          <input type="hidden" name="next" value={c.req.path} />
          <label for="author-join-email">{t("publishing.author.joinLabel")}</label>
          <div class="inline-form">
            <input
              id="author-join-email"
              name="email"
              type="email"
              required
              autocomplete="email"
              maxlength={254}
              placeholder={t("publishing.author.emailPlaceholder")}
            />
            <button type="submit">{t("publishing.author.join")}</button>
          </div>
          {/* The same consent sentence the members module records as proof. */}
          <label class="check small">
            <input type="checkbox" name="newsletter" />
            <span>{t("members.consent.newsletter", { site: site.name })}</span>
          </label>
        </form>
      )}
    </aside>
  );
}

function Comments(p: PostViewProps) {
  const c = p.c;
  const t = tr(c);
  if (p.commentMode === "hidden") return null;
  const next = encodeURIComponent(postUrl(p.post.slug));
  return (
    <section class="comments" aria-labelledby="comments-title" id="comments">
      <h2 id="comments-title">
        {p.comments.length
          ? t("publishing.comments.titleCount", { n: p.comments.length })
          : t("publishing.comments.title")}
      </h2>
      {p.comments.length === 0 && <p class="muted">{t("publishing.comments.none")}</p>}
      <ol class="comment-list">
        {p.comments.map((cm) => (
          <li class="comment" id={`c-${cm.id}`}>
            <p class="comment-meta">
              <strong>{cm.authorName}</strong> ·{" "}
              <time datetime={cm.createdAt}>{formatDate(c.var.locale, cm.createdAt, c.var.site.timeZone)}</time>
            </p>
            <p class="comment-body">{cm.body}</p>
          </li>
        ))}
      </ol>
      {p.commentMode === "form" && !p.preview && (
        <form method="post" action={`${postUrl(p.post.slug)}/comments`} class="stack comment-form">
          <CsrfField c={c} />
          <div class="field">
            <label for="f-body">{t("publishing.comments.label")}</label>
            <textarea
              id="f-body"
              name="body"
              rows={4}
              required
              maxlength={commentLimits.body}
              aria-invalid={p.commentErrors ? "true" : undefined}
              aria-describedby={p.commentErrors ? "f-body-error" : undefined}
            >
              {p.commentValue ?? ""}
            </textarea>
            {p.commentErrors && (
              <p class="error" id="f-body-error">
                {p.commentErrors}
              </p>
            )}
          </div>
          <div>
            <button type="submit">{t("publishing.comments.submit")}</button>
          </div>
        </form>
      )}
      {p.commentMode === "login" && (
        <p class="comment-login">
          {t("publishing.comments.loginLead")} <a href={`/login?next=${next}`}>{t("publishing.comments.login")}</a> ·{" "}
          <a href={`/join?next=${next}`}>{t("publishing.comments.join")}</a>
        </p>
      )}
      {p.commentMode === "blocked" && <p class="muted">{t("publishing.comments.blockedNote")}</p>}
      {p.commentMode === "closed" && <p class="muted">{t("publishing.comments.closed")}</p>}
    </section>
  );
}

export function TagList({ tags }: { tags: TagRef[] }) {
  if (!tags.length) return null;
  return (
    <ul class="tag-list">
      {tags.map((tg) => (
        <li>
          <a href={`/tag/${tg.slug}`}>#{tg.name}</a>
        </li>
      ))}
    </ul>
  );
}

/** The reading page of one post (also used by the admin's previews). */
export function PostArticle(p: PostViewProps) {
  const { c, post } = p;
  const t = tr(c);
  const badge = audienceLabel(c, post.audience);
  const date = post.published_at ?? post.publish_at ?? post.updated_at;
  return (
    <article class="post" data-post={post.id}>
      <header class="post-head narrow">
        <p class="post-kicker">
          <a href="/blog">{t("publishing.archive.title")}</a>
          {badge && <span class="badge post-badge">{badge}</span>}
        </p>
        <h1>{post.title}</h1>
        {post.excerpt && <p class="post-dek">{post.excerpt}</p>}
        <p class="post-meta">
          <time datetime={date}>{formatDate(c.var.locale, date, c.var.site.timeZone)}</time>
          <span aria-hidden="true"> · </span>
          <span>{t("publishing.readingTime", { n: post.reading_minutes })}</span>
        </p>
      </header>
      {post.cover_file_id && (
        <figure class="post-cover">
          <img src={mediaUrl(post.cover_file_id)} alt="" />
        </figure>
      )}
      <div class="narrow">
        {/* teaser_html and paid_html were sanitised by renderMarkdown when the post was saved. */}
        {post.teaser_html && (
          <div class="prose story post-body" dangerouslySetInnerHTML={{ __html: post.teaser_html }} />
        )}
        {p.canRead ? (
          post.paid_html && (
            <>
              {post.teaser_html && <hr class="paywall-rule" />}
              <div class="prose story post-body post-paid" dangerouslySetInnerHTML={{ __html: post.paid_html }} />
            </>
          )
        ) : (
          <Paywall c={c} post={post} viewer={p.viewer} />
        )}
        <TagList tags={p.tags} />
        {!p.preview && <AuthorBox c={c} />}
        <Comments {...p} />
      </div>
    </article>
  );
}

export interface ArchiveItem {
  post: Pick<
    PostRow,
    | "id"
    | "slug"
    | "title"
    | "excerpt"
    | "teaser_text"
    | "audience"
    | "cover_file_id"
    | "published_at"
    | "reading_minutes"
  >;
  tags: TagRef[];
  comments: number;
}

export function ArchiveList({ c, items }: { c: AppContext; items: ArchiveItem[] }) {
  const t = tr(c);
  return (
    <ol class="archive-list">
      {items.map(({ post, tags, comments }) => {
        const badge = audienceLabel(c, post.audience);
        return (
          <li class={post.cover_file_id ? "archive-item has-cover" : "archive-item"}>
            <div class="archive-text">
              <p class="post-meta">
                <time datetime={post.published_at ?? ""}>
                  {formatDate(c.var.locale, post.published_at, c.var.site.timeZone)}
                </time>
                <span aria-hidden="true"> · </span>
                {t("publishing.readingTime", { n: post.reading_minutes })}
                {comments > 0 && (
                  <>
                    <span aria-hidden="true"> · </span>
                    {t("publishing.archive.comments", { n: comments })}
                  </>
                )}
                {badge && <span class="badge post-badge">{badge}</span>}
              </p>
              <h2>
                <a href={postUrl(post.slug)}>{post.title}</a>
              </h2>
              <p class="archive-summary">{publicSummary(post)}</p>
              <TagList tags={tags} />
            </div>
            {post.cover_file_id && (
              <a class="archive-cover" href={postUrl(post.slug)} tabindex={-1} aria-hidden="true">
                <img src={mediaUrl(post.cover_file_id)} alt="" loading="lazy" />
              </a>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function Pager({ c, page, pages, base }: { c: AppContext; page: number; pages: number; base: string }) {
  const t = tr(c);
  if (pages <= 1) return null;
  const href = (n: number) => (n === 1 ? base : `${base}/page/${n}`);
  return (
    <nav class="pagination archive-pager" aria-label={t("publishing.archive.pages")}>
      {page > 1 ? (
        <a class="btn secondary small" href={href(page - 1)} rel="prev">
          ← {t("publishing.archive.newer")}
        </a>
      ) : (
        <span />
      )}
      <span class="muted small">{t("publishing.archive.pageOf", { page, pages })}</span>
      {page < pages ? (
        <a class="btn secondary small" href={href(page + 1)} rel="next">
          {t("publishing.archive.older")} →
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

export function PageHead({ eyebrow, title, lead }: { eyebrow?: string; title: string; lead?: Child }) {
  return (
    <header class="story-hero narrow archive-hero">
      {eyebrow && <p class="eyebrow">{eyebrow}</p>}
      <h1>{title}</h1>
      {lead && <p class="tagline">{lead}</p>}
      <span class="story-rule" aria-hidden="true"></span>
    </header>
  );
}
