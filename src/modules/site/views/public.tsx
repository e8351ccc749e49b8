/** @jsxImportSource #html-jsx */
import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { markdownToText } from "../../../platform/markdown.ts";
import { CsrfField } from "../../../platform/views/components.tsx";
import { page } from "../../../platform/views/layout.tsx";

/**
 * The consent sentence must be exactly the one the members module records
 * as proof when the visitor joins; ours is only a fallback without it.
 */
function consentWording(c: AppContext): string {
  const t = tr(c);
  const shared = t("members.consent.newsletter", { site: c.var.site.name });
  return shared === "members.consent.newsletter" ? t("site.home.join.newsletter", { site: c.var.site.name }) : shared;
}

/** The join box posts to the members module's POST /join (see BRIEF contracts). */
export function JoinBox({ c }: { c: AppContext }) {
  const t = tr(c);
  const site = c.var.site;
  if (c.var.memberSession) {
    return (
      <aside class="join-box join-card member-line" aria-label={t("site.home.join.title")}>
        <p>
          {t("site.home.member", { site: site.name })} <a href="/account">{t("site.home.member.link")}</a>
        </p>
      </aside>
    );
  }
  return (
    <aside class="join-box join-card" aria-labelledby="join-title">
      <h2 id="join-title">{t("site.home.join.title")}</h2>
      <p class="muted">{t("site.home.join.lead")}</p>
      <form method="post" action="/join" class="stack join-form">
        {/* Only a staff session needs the token; anonymous pages stay token-free so they can be cached. */}
        {c.var.staffSession && <CsrfField c={c} />}
        <input type="hidden" name="next" value="/" />
        <div class="join-fields">
          <div class="field">
            <label for="join-email">{t("site.home.join.email")}</label>
            <input id="join-email" name="email" type="email" required autocomplete="email" maxlength={254} />
          </div>
          <div class="field">
            <label for="join-name">
              {t("site.home.join.name")}
              <span class="muted small"> ({t("form.optional")})</span>
            </label>
            <input id="join-name" name="name" type="text" autocomplete="given-name" maxlength={80} />
          </div>
        </div>
        <label class="check">
          <input type="checkbox" name="newsletter" />
          <span>{consentWording(c)}</span>
        </label>
        <div>
          <button type="submit">{t("site.home.join.submit")}</button>
        </div>
      </form>
    </aside>
  );
}

export function StoryBody({ c, html }: { c: AppContext; html: string }) {
  if (!html) return <p class="prose muted story-empty">{tr(c)("site.home.emptyStory")}</p>;
  // storyHtml was sanitised by renderMarkdown when it was saved.
  return (
    <div class={`prose story${opensOnAWord(html) ? " dropcap" : ""}`} dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/**
 * Whether a decorative first letter suits the story: it opens on a paragraph whose first two
 * characters are letters ("Tout", "Depuis"). Not on « J’ai », « L’atelier », a quote, a digit or
 * an emphasised word, where the big letter stands apart from what follows.
 */
export function opensOnAWord(html: string): boolean {
  const m = /^\s*<p>([^<]{2})/.exec(html);
  return !!m && /^\p{L}\p{L}$/u.test(m[1]!);
}

/** Anonymous visitors get a shared, cacheable page; anyone with a session gets a private one (set by the context middleware). */
export function cacheForVisitors(c: AppContext): void {
  if (!c.var.memberSession && !c.var.staffSession) {
    c.header("Cache-Control", "public, max-age=60, stale-while-revalidate=300");
    c.header("Vary", "Accept-Language, Cookie");
  }
}

export function aboutPage(c: AppContext) {
  const t = tr(c);
  const site = c.var.site;
  cacheForVisitors(c);
  const useAbout = site.aboutMarkdown.trim() !== "";
  const source = useAbout ? site.aboutMarkdown : site.storyMarkdown;
  const description = markdownToText(source, 160) || site.tagline;
  return page(
    c,
    { title: t("site.about.title"), description: description || undefined },
    <article class="story-page">
      <header class="story-hero narrow">
        <p class="eyebrow">{site.name}</p>
        <h1>{t("site.about.title")}</h1>
        <span class="story-rule" aria-hidden="true"></span>
      </header>
      <div class="narrow">
        <StoryBody c={c} html={useAbout ? site.aboutHtml : site.storyHtml} />
      </div>
    </article>,
  );
}
