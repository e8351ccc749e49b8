import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { formatDate, t } from "../../platform/i18n/index.ts";
import { HomeSectionFrame, registerHomeSection } from "../../platform/views/home-sections.tsx";
import { listPublished, type PublishedListRow } from "./posts.ts";
import { postUrl } from "./service.ts";
import { audienceLabel, mediaUrl, publicSummary } from "./views.tsx";

const latestCount = 3;

/** A small padlock beside a members-only post's badge; the badge's words say it to screen readers. */
function LockIcon() {
  return (
    <svg class="home-lock" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M5 7V5a3 3 0 0 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z"
      />
    </svg>
  );
}

/**
 * A post's card on the home page. Only what the access policy lets anyone
 * see: title, date, cover, the public summary (excerpt or teaser) and a lock
 * badge; the post's body is not even read (listPublished selects no body).
 */
function PostCard({ c, post }: { c: AppContext; post: PublishedListRow }) {
  const badge = audienceLabel(c, post.audience);
  return (
    <article class="card home-post" aria-labelledby={`hp-${post.id}`}>
      {post.cover_file_id && (
        <a class="home-post-cover" href={postUrl(post.slug)} tabindex={-1} aria-hidden="true">
          <img src={mediaUrl(post.cover_file_id)} alt="" loading="lazy" />
        </a>
      )}
      <div class="home-post-text">
        <p class="post-meta">
          <time datetime={post.published_at ?? ""}>
            {formatDate(c.var.locale, post.published_at, c.var.site.timeZone)}
          </time>
          {badge && (
            <span class="badge post-badge">
              <LockIcon />
              {badge}
            </span>
          )}
        </p>
        <h3 id={`hp-${post.id}`}>
          <a href={postUrl(post.slug)}>{post.title}</a>
        </h3>
        <p class="home-post-summary">{publicSummary(post, 180)}</p>
      </div>
    </article>
  );
}

export function registerPostsHomeSection(): void {
  registerHomeSection({
    key: "posts",
    order: 20,
    label: (locale) => t(locale, "publishing.home.label"),
    async render({ c }) {
      const { rows } = await listPublished(c.var.services.db, {
        limit: latestCount,
        offset: 0,
        publicOnly: c.var.site.homePosts === "public",
      });
      if (rows.length === 0) return null;
      const tt = tr(c);
      return (
        <HomeSectionFrame
          sectionKey="posts"
          title={tt("publishing.home.label")}
          more={{ href: "/blog", label: tt("publishing.home.all") }}
        >
          <div class="home-posts">
            {rows.map((post) => (
              <PostCard c={c} post={post} />
            ))}
          </div>
        </HomeSectionFrame>
      );
    },
  });
}
