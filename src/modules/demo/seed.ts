import type { Db } from "../../platform/db/index.ts";
import { dialectOf, insertRows, transaction } from "../../platform/db/index.ts";
import type { Database } from "../../platform/db/schema.ts";
import { sql } from "kysely";
import { renderMarkdown } from "../../platform/markdown.ts";
import { hashPassword } from "../../platform/security/passwords.ts";
import { getSiteSettings, updateSiteSettings } from "../../platform/settings.ts";
import {
  allMemberEmails,
  importMembers,
  membersModule,
  type MemberConsentRow as ConsentRow,
  type MemberRow,
} from "../members/index.ts";
import { hasOwner, importStaffUser } from "../staff/index.ts";
import { demoAbout, demoSite, demoStory } from "./persona.ts";
import { seedOffersDemo, type OffersDemoResult } from "../offers/index.ts";
import { seedPublishingDemo, type PublishingDemoResult } from "../publishing/index.ts";
import { seedPodcastsDemo, type PodcastsDemoResult } from "../podcasts/index.ts";
import type { Storage } from "../../platform/storage/index.ts";
import { seedCoachingDemo, type CoachingDemoResult } from "../coaching/index.ts";
import { seedCoursesDemo, type CoursesDemoResult } from "../courses/index.ts";
import { seedDemoImages } from "./images.ts";

import { domains, enDomains, enFirst, enLast, enZones, frFirst, frLast, frZones, notes } from "./people.ts";
import { pick, prng, uuidv7At, weighted, type Rng } from "./random.ts";

export { prng, uuidv7At } from "./random.ts";

/**
 * Demo data: a French ceramicist and her members over the past twelve months.
 * Deterministic (seeded PRNG, ids derived from it), so screenshots and tests
 * see the same people every time. Rows are written in multi-row INSERTs
 * inside one transaction, in batches, so 100,000 members take seconds.
 * Later modules (offers, posts, courses) extend this file with their own
 * generators called from seedDemo.
 */

export const demoOwner = {
  email: "owner@demo.atelier",
  password: "atelier-demo-2026",
  name: "Camille Lefèvre",
} as const;

export interface SeedOptions {
  /** How many members to create (default 300). */
  members?: number;
  /** PRNG seed; the same seed and `now` give the same data. */
  seed?: number;
  /** End of the twelve-month history (default: now). */
  now?: Date;
  /** Members generated per batch (memory bound). */
  batchSize?: number;
  /** Where files go (the podcast's audio and cover); without it the podcast demo is skipped. */
  storage?: Storage;
}

export interface SeedResult {
  siteCreated: boolean;
  ownerCreated: boolean;
  members: number;
  consents: number;
  events: number;
  ms: number;
  /** What the offers demo added (tiers, a PWYW download, tips, orders and subscriptions in every state). */
  offers?: OffersDemoResult;
  publishing?: PublishingDemoResult;
  podcasts?: PodcastsDemoResult;
  coaching?: CoachingDemoResult;
  courses?: CoursesDemoResult;
  /** True when the demo gave the site its generated portrait and cover. */
  homeImages?: boolean;
}

const prefFields = [["locale"], ["name"], ["timeZone"], ["locale", "timeZone"]] as const;

function asciiSlug(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}

const DAY = 86_400_000;

/** When people joined: growing over the year, plus three bursts (open days, a press article, a workshop announcement). */
function joinTime(rng: Rng, now: number): number {
  const bursts = [250, 140, 38];
  const r = rng();
  if (r < 0.15) {
    const centre = bursts[Math.floor(rng() * bursts.length)]!;
    return now - (centre - rng() * 4) * DAY;
  }
  // Density growing linearly towards today: sqrt of a uniform.
  const frac = Math.sqrt(rng());
  return now - 365 * DAY + frac * 364.9 * DAY;
}

/** Written in bulk: `version` and `tx` take their defaults (the outbox reads these rows in id order). */
type EventRow = Omit<Database["events"], "version" | "tx">;

interface Batch {
  members: MemberRow[];
  consents: ConsentRow[];
  events: EventRow[];
}

function consentWording(locale: "fr" | "en", site: string): string {
  const template = membersModule.messages?.[locale]["members.consent.newsletter"] ?? "";
  return template.replace("{site}", site);
}

const newsletterData = JSON.stringify({ kind: "newsletter" });
const loginData = JSON.stringify({ method: "magic_link" });
const noteData = JSON.stringify({ fields: ["note"] });

interface Plan {
  source: "signup" | "import" | "staff";
  createdMs: number;
}

/** Who arrives when, drawn first and sorted, so ids (time-ordered) are inserted in order. */
function planArrivals(rng: Rng, total: number, now: number): Plan[] {
  const plans: Plan[] = [];
  for (let i = 0; i < total; i++) {
    const roll = rng();
    const source = roll < 0.86 ? "signup" : roll < 0.95 ? "import" : "staff";
    // Imported members arrived with the old mailing list, in one evening.
    const createdMs = source === "import" ? now - 358 * DAY + rng() * 3600_000 : joinTime(rng, now);
    plans.push({ source, createdMs });
  }
  return plans.sort((x, y) => x.createdMs - y.createdMs);
}

/** One member and their history. */
function generateMember(
  rng: Rng,
  index: number,
  plan: Plan,
  now: number,
  wordings: Record<"fr" | "en", string>,
  usedEmails: Set<string>,
  out: Batch,
): void {
  const english = rng() < 0.22;
  const first = english ? pick(rng, enFirst) : pick(rng, frFirst);
  const last = english ? pick(rng, enLast) : pick(rng, frLast);
  const name = rng() < 0.04 ? "" : `${first} ${last}`;
  // Some francophones read in English and the other way round.
  const locale: "fr" | "en" = english ? (rng() < 0.85 ? "en" : "fr") : rng() < 0.06 ? "en" : "fr";
  const timeZone = english ? weighted(rng, enZones) : weighted(rng, frZones);
  const domain = english ? pick(rng, enDomains) : pick(rng, domains);
  const style = rng();
  const base =
    style < 0.5
      ? `${asciiSlug(first)}.${asciiSlug(last)}`
      : style < 0.8
        ? `${asciiSlug(first)[0]}${asciiSlug(last)}`
        : `${asciiSlug(first)}${asciiSlug(last)}`;
  let email = `${base}@${domain}`;
  if (usedEmails.has(email)) email = `${base}${index % 97}${Math.floor(rng() * 100)}@${domain}`;
  if (usedEmails.has(email)) email = `${base}.${index}@${domain}`;
  usedEmails.add(email);

  const { source, createdMs } = plan;
  const pending = source === "signup" && rng() < (now - createdMs < 14 * DAY ? 0.3 : 0.07);
  const status = pending ? "pending" : "active";
  let optIn = rng() < (source === "import" ? 0.95 : 0.72);
  const id = uuidv7At(createdMs, rng);
  const at = (ms: number) => new Date(ms < now ? ms : now).toISOString();
  const created = at(createdMs);
  const actor = source === "staff" ? "staff" : source === "import" ? "system" : "member";
  const wording = wordings[locale];
  const event = (ms: number, type: string, a: EventRow["actor"], data: string) => {
    out.events.push({
      id: uuidv7At(ms < now ? ms : now, rng),
      member_id: id,
      type,
      actor: a,
      data,
      created_at: at(ms),
    });
  };
  const consent = (ms: number, granted: boolean) => {
    out.consents.push({
      id: uuidv7At(Math.min(ms, now), rng),
      member_id: id,
      kind: "newsletter",
      granted: granted ? 1 : 0,
      wording,
      locale,
      ip: null,
      created_at: at(ms),
    });
  };

  event(
    createdMs,
    "member.joined",
    actor,
    JSON.stringify({ source, status: source === "signup" ? "pending" : "active", emailOptIn: optIn, locale }),
  );
  if (optIn) {
    consent(createdMs, true);
    event(createdMs, "consent.granted", actor, newsletterData);
  }
  let confirmedMs: number | null = null;
  let lastSeenMs: number | null = null;
  if (status === "active") {
    confirmedMs = source === "signup" ? createdMs + (2 + rng() * 60) * 60_000 * (rng() < 0.15 ? 24 : 1) : createdMs;
    if (confirmedMs > now) confirmedMs = now - rng() * 60_000;
    if (source === "signup") event(confirmedMs, "member.confirmed", "member", "{}");
    // Logins: most come back a few times, some often.
    const logins = Math.floor(-Math.log(1 - rng()) * (rng() < 0.2 ? 9 : 2.5));
    const span = now - confirmedMs;
    const times: number[] = [];
    for (let i = 0; i < Math.min(logins, 40); i++) times.push(confirmedMs + rng() * span);
    times.sort((a, b) => a - b);
    for (const ms of times) event(ms, "member.logged_in", "member", loginData);
    if (times.length) lastSeenMs = times[times.length - 1]!;
    if (rng() < 0.14 && span > DAY) {
      event(
        confirmedMs + rng() * span,
        "member.preferences_changed",
        "member",
        JSON.stringify({ fields: pick(rng, prefFields) }),
      );
    }
    // Newsletter changes of mind.
    const changeRoll = rng();
    if (optIn && changeRoll < 0.07 && span > 2 * DAY) {
      const ms = confirmedMs + (0.3 + rng() * 0.7) * span;
      optIn = false;
      consent(ms, false);
      event(ms, "consent.withdrawn", "member", newsletterData);
    } else if (!optIn && changeRoll < 0.05 && span > 2 * DAY) {
      const ms = confirmedMs + (0.2 + rng() * 0.8) * span;
      optIn = true;
      consent(ms, true);
      event(ms, "consent.granted", "member", newsletterData);
    }
  }
  const note = rng() < 0.05 ? pick(rng, notes) : "";
  if (note) event(createdMs + rng() * (now - createdMs), "member.updated", "staff", noteData);
  out.members.push({
    id,
    email,
    name,
    locale,
    time_zone: timeZone,
    status,
    email_opt_in: optIn ? 1 : 0,
    note,
    source,
    confirmed_at: confirmedMs === null ? null : at(confirmedMs),
    last_seen_at: lastSeenMs === null ? null : at(lastSeenMs),
    created_at: created,
    updated_at: at(Math.max(createdMs, lastSeenMs ?? 0)),
  });
}

/** Fills the demo creator's site (if not set up), owner (if none) and `members` members with history. */
export async function seedDemo(db: Db, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const total = opts.members ?? 300;
  const rng = prng(opts.seed ?? 20261123);
  const now = (opts.now ?? new Date()).getTime();
  const batchSize = opts.batchSize ?? 2000;
  const result: SeedResult = { siteCreated: false, ownerCreated: false, members: 0, consents: 0, events: 0, ms: 0 };

  const site = await getSiteSettings(db);
  if (!site.setupDone) {
    await updateSiteSettings(db, {
      ...demoSite,
      setupDone: true,
      storyMarkdown: demoStory,
      storyHtml: renderMarkdown(demoStory),
      aboutMarkdown: demoAbout,
      aboutHtml: renderMarkdown(demoAbout),
      membersWelcomeHtml: renderMarkdown(demoSite.membersWelcomeMarkdown ?? ""),
      contactEmail: demoOwner.email,
    });
    result.siteCreated = true;
  }
  const siteName = (await getSiteSettings(db)).name;
  const wordings = { fr: consentWording("fr", siteName), en: consentWording("en", siteName) };
  if (!(await hasOwner(db))) {
    const at = new Date(now - 366 * DAY).toISOString();
    await importStaffUser(db, {
      id: uuidv7At(now - 366 * DAY, rng),
      email: demoOwner.email,
      name: demoOwner.name,
      password_hash: await hashPassword(demoOwner.password),
      role: "owner",
      locale: "fr",
      totp_secret: null,
      totp_enabled: 0,
      created_at: at,
      updated_at: at,
    });
    result.ownerCreated = true;
  }

  // Existing members keep their addresses: generated ones step around them.
  const used = new Set<string>(await allMemberEmails(db));
  const plans = planArrivals(rng, total, now);
  // A larger page cache for the bulk load: index inserts of random UUIDs otherwise thrash the 2 MB default.
  const sqlite = dialectOf(db) === "sqlite";
  if (sqlite) await sql`PRAGMA cache_size = -131072`.execute(db);
  // One transaction per batch: a single huge one makes SQLite's WAL grow without checkpoints and slows every page read.
  for (let start = 0; start < total; start += batchSize) {
    const batch: Batch = { members: [], consents: [], events: [] };
    for (let i = start; i < Math.min(total, start + batchSize); i++)
      generateMember(rng, i, plans[i]!, now, wordings, used, batch);
    // Id order = time order: primary-key inserts then mostly append to the B-tree (members already come in order).
    for (const rows of [batch.consents, batch.events]) rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    await transaction(db, async (trx) => {
      await importMembers(trx, batch.members, batch.consents);
      await insertRows(trx, "events", batch.events);
    });
    result.members += batch.members.length;
    result.consents += batch.consents.length;
    result.events += batch.events.length;
  }
  if (sqlite) await sql`PRAGMA cache_size = -2000`.execute(db);
  // Offers come last: they pick their buyers among the members just created (idempotent on re-seed).
  result.offers = await seedOffersDemo(db, { now: new Date(now) });
  // Posts come after offers: paid posts are gated on the demo tiers.
  result.publishing = await seedPublishingDemo(db, { now: new Date(now) });
  if (opts.storage) result.podcasts = (await seedPodcastsDemo(db, opts.storage, { now: new Date(now) })) ?? undefined;
  // Coaching: a discovery call, a five-session package by application, sessions past and to come.
  result.coaching = await seedCoachingDemo(db, { now: new Date(now) });
  // The course, sold by its own offer, to members already there.
  result.courses = await seedCoursesDemo(db, { now: new Date(now) });
  // The home page's portrait and cover (generated images; kept if the creator set their own).
  if (opts.storage) result.homeImages = await seedDemoImages(db, opts.storage);
  result.ms = Date.now() - started;
  return result;
}
