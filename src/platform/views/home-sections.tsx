import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import type { Locale } from "../i18n/index.ts";

/**
 * Blocks product modules add to the home page after the creator's story
 * (featured offers, latest posts, courses, coaching, podcasts). The site
 * module renders them in the order the creator chose in the settings;
 * a module never needs the site module, and the site module never names a
 * product table.
 */
export interface HomeSection {
  /** Stable name stored in the creator's choice of sections (never shown). */
  key: string;
  /** Default position (lower first) until the creator reorders. */
  order: number;
  /** What the creator reads in the home page settings ("Offres à la une"). */
  label(locale: Locale): string;
  /**
   * The block as a visitor sees it, or null when there is nothing to show
   * (no published course, no show): an empty section never appears. It must
   * respect the access policy: only what any visitor may see (teasers, prices).
   */
  render(ctx: HomeSectionContext): Promise<Child | null> | Child | null;
}

export interface HomeSectionContext {
  c: AppContext;
  locale: Locale;
}

/** The creator's choice for one section, as stored in the site settings. */
export interface HomeSectionChoice {
  key: string;
  shown: boolean;
}

const sections = new Map<string, HomeSection>();

/** Called from a module's routes() hook; registering a key again replaces it (tests build several apps). */
export function registerHomeSection(section: HomeSection): void {
  sections.set(section.key, section);
}

/** Every registered section in its default order. */
export function homeSections(): HomeSection[] {
  return [...sections.values()].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
}

/**
 * The creator's stored order applied to the registered sections: stored
 * ones first in their stored order (unknown keys, from a module removed
 * since, are dropped), then sections added since, shown, at their default
 * order. So a new module's section appears without the creator doing anything.
 */
export function arrangeHomeSections(
  stored: readonly HomeSectionChoice[] | undefined,
): { section: HomeSection; shown: boolean }[] {
  const all = homeSections();
  const byKey = new Map(all.map((s) => [s.key, s]));
  const out: { section: HomeSection; shown: boolean }[] = [];
  const seen = new Set<string>();
  for (const choice of stored ?? []) {
    const section = byKey.get(choice.key);
    if (!section || seen.has(choice.key)) continue;
    seen.add(choice.key);
    out.push({ section, shown: choice.shown });
  }
  for (const section of all) if (!seen.has(section.key)) out.push({ section, shown: true });
  return out;
}

/**
 * The common frame of a home section, so every module's block reads alike:
 * a heading, an optional "see all" link, then the module's cards.
 */
export function HomeSectionFrame(p: {
  sectionKey: string;
  title: string;
  lead?: string;
  more?: { href: string; label: string };
  children: Child;
}) {
  const id = `home-${p.sectionKey}`;
  return (
    <section class="home-section" id={id} data-home-section={p.sectionKey} aria-labelledby={`${id}-title`}>
      <div class="home-section-head">
        <h2 id={`${id}-title`}>{p.title}</h2>
        {p.more && (
          <a class="home-more" href={p.more.href}>
            {p.more.label} <span aria-hidden="true">→</span>
          </a>
        )}
      </div>
      {p.lead && <p class="home-section-lead muted">{p.lead}</p>}
      {p.children}
    </section>
  );
}
