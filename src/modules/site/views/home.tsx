/** @jsxImportSource #html-jsx */
import type { Child } from "hono/jsx";
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { log } from "../../../platform/log.ts";
import { markdownToText } from "../../../platform/markdown.ts";
import { assetUrl } from "../../../platform/views/assets.ts";
import { arrangeHomeSections } from "../../../platform/views/home-sections.tsx";
import { logoUrl, page } from "../../../platform/views/layout.tsx";
import { cacheForVisitors, JoinBox, StoryBody } from "./public.tsx";

/** Absolute address of a public site image, for social cards (og:image wants a full URL). */
function absoluteMedia(c: AppContext, fileId: string): string {
  return `${c.var.services.config.publicUrl}/media/${fileId}`;
}

function socialHead(c: AppContext, description: string) {
  const site = c.var.site;
  const imageId = site.coverFileId ?? site.portraitFileId;
  const image = imageId ? absoluteMedia(c, imageId) : null;
  return (
    <>
      <link rel="stylesheet" href={assetUrl("home.css")} />
      <meta property="og:type" content="website" />
      <meta property="og:site_name" content={site.name} />
      <meta property="og:title" content={site.name} />
      {description && <meta property="og:description" content={description} />}
      <meta property="og:url" content={`${c.var.services.config.publicUrl}/`} />
      {image && <meta property="og:image" content={image} />}
      <meta name="twitter:card" content={site.coverFileId ? "summary_large_image" : "summary"} />
      {image && <meta name="twitter:image" content={image} />}
    </>
  );
}

/**
 * Each section the creator shows, rendered by its module. One failing
 * module must not take the whole home page down: its section is left out
 * and logged.
 */
async function renderSections(c: AppContext): Promise<Child[]> {
  const out: Child[] = [];
  for (const { section, shown } of arrangeHomeSections(c.var.site.homeSections)) {
    if (!shown) continue;
    try {
      const block = await section.render({ c, locale: c.var.locale });
      if (block) out.push(block);
    } catch (err) {
      log.error("home section failed", { section: section.key, error: String(err) });
    }
  }
  return out;
}

/** The home page: the story first (cover, name, portrait beside the words), then what the creator chose to show. */
export async function homePage(c: AppContext) {
  const t = tr(c);
  const site = c.var.site;
  const logo = logoUrl(site.logoFileId);
  const cover = logoUrl(site.coverFileId);
  const portrait = logoUrl(site.portraitFileId);
  cacheForVisitors(c);
  const description = site.tagline || markdownToText(site.storyMarkdown, 160);
  const sections = await renderSections(c);
  return page(
    c,
    { title: site.name, description: description || undefined, head: socialHead(c, description) },
    <article class={cover ? "story-page home has-cover" : "story-page home"}>
      {cover && (
        <figure class="home-cover">
          <img src={cover} alt="" fetchpriority="high" />
        </figure>
      )}
      <header class="story-hero narrow">
        {logo && !cover && <img class="story-logo" src={logo} alt="" width="72" height="72" />}
        <h1>{site.name}</h1>
        {site.tagline && <p class="tagline">{site.tagline}</p>}
        <span class="story-rule" aria-hidden="true"></span>
      </header>
      <div class={portrait ? "home-story with-portrait" : "home-story narrow"}>
        {portrait && (
          <img
            class="home-portrait"
            src={portrait}
            alt={t("site.home.portraitAlt", { site: site.name })}
            width="220"
            height="220"
          />
        )}
        <StoryBody c={c} html={site.storyHtml} />
      </div>
      {sections.length > 0 && <div class="home-sections wrap">{sections}</div>}
      <div class="narrow">
        <JoinBox c={c} />
      </div>
    </article>,
  );
}
