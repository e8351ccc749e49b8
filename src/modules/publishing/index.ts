import { defineModule } from "../../platform/module.ts";
import { registerPostIncludes } from "./includables.ts";
import { publishingTables } from "./tables.ts";
import { registerHeadLink, registerNavLink } from "../../platform/views/layout.tsx";
import { registerPostsHomeSection } from "./home-section.tsx";
import { registerAccountExport, registerEraseHook } from "../members/index.ts";
import { adminRoutes } from "./admin.tsx";
import { feedRoutes } from "./feeds.ts";
import { publishingMessages } from "./i18n.ts";
import { publicRoutes } from "./public.tsx";
import { newsletterMessages, newsletterRoutes } from "./newsletter/index.ts";
import { publishingJobs } from "./jobs.ts";

export {
  getPostForSending,
  postResource,
  audienceOf,
  postUrl,
  findPost,
  findPostBySlug,
  tagsOfPost,
  type PostForSending,
  type PostRow,
  type TagRef,
} from "./service.ts";
export { splitAtPaywall, renderBody, slugify, PAYWALL_MARKER } from "./content.ts";
export { savePost, publishDuePosts, utcToLocal, type PostInput } from "./posts.ts";
export { savePostImage, imageMarkdown } from "./images.ts";
export { addComment } from "./comments.ts";
export { seedPublishingDemo, type PublishingDemoResult } from "./demo.ts";
export { registerSitemapSource, type SitemapEntry } from "./feeds.ts";

/** Comments and comment blocks are personal data: they go with the member. */
const eraseComments: Parameters<typeof registerEraseHook>[0] = async (trx, member) => {
  await trx.deleteFrom("comments").where("member_id", "=", member.id).execute();
  await trx.deleteFrom("comment_blocks").where("member_id", "=", member.id).execute();
};

export { publishEveryMs } from "./jobs.ts";
/** "Download my data": the member's own comments (with the post they are on) and whether they may comment. */
const exportComments: Parameters<typeof registerAccountExport>[1] = async (db, member) => {
  const [comments, block] = await Promise.all([
    db
      .selectFrom("comments")
      .innerJoin("posts", "posts.id", "comments.post_id")
      .select([
        "comments.id",
        "posts.title as post",
        "posts.slug as postSlug",
        "comments.body",
        "comments.status",
        "comments.created_at as createdAt",
        "comments.updated_at as updatedAt",
      ])
      .where("comments.member_id", "=", member.id)
      .orderBy("comments.id")
      .execute(),
    db.selectFrom("comment_blocks").select("created_at").where("member_id", "=", member.id).executeTakeFirst(),
  ]);
  return { comments, blocked: !!block };
};

/** Posts with a paywall inside, the archive, RSS, sitemap, comments (and the newsletter engine in ./newsletter). */
export const publishingModule = defineModule({
  name: "publishing",
  tables: publishingTables,
  messages: {
    fr: { ...publishingMessages.fr, ...newsletterMessages.fr },
    en: { ...publishingMessages.en, ...newsletterMessages.en },
  },
  routes(app) {
    registerNavLink({ href: "/blog", labelKey: "publishing.nav.blog", order: 10 });
    registerPostsHomeSection();
    registerHeadLink({ rel: "alternate", type: "application/rss+xml", href: "/rss.xml" });
    registerEraseHook(eraseComments);
    registerAccountExport("comments", exportComments);
    registerPostIncludes();
    feedRoutes(app);
    publicRoutes(app);
    adminRoutes(app);
    newsletterRoutes(app);
  },
  jobs: publishingJobs,
});
