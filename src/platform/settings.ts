import type { Db } from "./db/index.ts";
import { systemClock, type Clock } from "./time.ts";
import { nowIso } from "./ids.ts";
import type { Locale } from "./i18n/index.ts";
import type { HomeSectionChoice } from "./views/home-sections.tsx";

/**
 * The site's settings as every screen and email needs them. Stored as JSON in
 * the `settings` table under "site"; the site module edits them. Cached for a
 * second so a burst of requests reads the database once, yet every app node
 * sees a change almost at once.
 */
export interface SiteSettings {
  setupDone: boolean;
  name: string;
  tagline: string;
  storyMarkdown: string;
  /** Sanitised HTML rendered from storyMarkdown when it was saved. */
  storyHtml: string;
  aboutMarkdown: string;
  aboutHtml: string;
  locale: Locale;
  currency: string;
  timeZone: string;
  accentColor: string;
  logoFileId: string | null;
  /** The creator's photo, beside the story on the home page. */
  portraitFileId: string | null;
  /** A wide image: the home page's hero and the site's social image (og:image). */
  coverFileId: string | null;
  /** Which home page sections show, in which order (empty: every section, default order). */
  homeSections: HomeSectionChoice[];
  /** The home's latest posts: every published post (paid ones with a lock, never their body) or only public ones. */
  homePosts: "all" | "public";
  /** The creator's welcome on the members' area (empty: a neutral default). */
  membersWelcomeMarkdown: string;
  membersWelcomeHtml: string;
  /** The creator's words above the offers on /pricing (plain text; empty: no lead). */
  pricingIntro: string;
  /** Address replies go to and the sender shown in emails. */
  contactEmail: string;
  mailFromName: string;
}

export const defaultSiteSettings: SiteSettings = {
  setupDone: false,
  name: "Atelier",
  tagline: "",
  storyMarkdown: "",
  storyHtml: "",
  aboutMarkdown: "",
  aboutHtml: "",
  locale: "fr",
  currency: "EUR",
  timeZone: "Europe/Paris",
  accentColor: "#b4532a",
  logoFileId: null,
  portraitFileId: null,
  coverFileId: null,
  homeSections: [],
  homePosts: "all",
  membersWelcomeMarkdown: "",
  membersWelcomeHtml: "",
  pricingIntro: "",
  contactEmail: "",
  mailFromName: "",
};

/**
 * How long a node trusts its copy of the settings: a change made on another
 * node shows here within this bound (this node's own changes at once).
 */
export const SETTINGS_CACHE_MS = 1000;
const cache = new WeakMap<Db, { at: number; value: SiteSettings }>();
/** The services' clock for this database's settings cache (set at boot; the machine's clock otherwise). */
const clocks = new WeakMap<Db, Clock>();
export function useSettingsClock(db: Db, clock: Clock): void {
  clocks.set(db, clock);
}
const nowFor = (db: Db): number => (clocks.get(db) ?? systemClock).nowMs();

export async function getSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export async function putSetting(db: Db, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  const at = nowIso();
  await db
    .insertInto("settings")
    .values({ key, value: json, updated_at: at })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: json, updated_at: at }))
    .execute();
}

/** The settings when this node's copy is fresh, without a wait (every request asks): else undefined. */
export function freshSiteSettings(db: Db): SiteSettings | undefined {
  const hit = cache.get(db);
  return hit && nowFor(db) - hit.at < SETTINGS_CACHE_MS ? hit.value : undefined;
}

export async function getSiteSettings(db: Db): Promise<SiteSettings> {
  const fresh = freshSiteSettings(db);
  if (fresh) return fresh;
  const stored = await getSetting<Partial<SiteSettings>>(db, "site");
  const value = { ...defaultSiteSettings, ...stored };
  cache.set(db, { at: nowFor(db), value });
  return value;
}

/** Called after a settings change on this node (the anonymous page cache clears itself). */
export const siteSettingsListeners = new Set<() => void>();

export async function updateSiteSettings(db: Db, patch: Partial<SiteSettings>): Promise<SiteSettings> {
  const current = { ...defaultSiteSettings, ...(await getSetting<Partial<SiteSettings>>(db, "site")) };
  const next = { ...current, ...patch };
  await putSetting(db, "site", next);
  cache.set(db, { at: nowFor(db), value: next });
  for (const listener of siteSettingsListeners) listener();
  return next;
}

/** The secret that signs CSRF tokens and links; made once and shared by every node through the database. */
export async function appSecret(db: Db, make: () => string): Promise<string> {
  const existing = await getSetting<string>(db, "app_secret");
  if (existing) return existing;
  await db
    .insertInto("settings")
    .values({ key: "app_secret", value: JSON.stringify(make()), updated_at: nowIso() })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  return (await getSetting<string>(db, "app_secret"))!;
}
