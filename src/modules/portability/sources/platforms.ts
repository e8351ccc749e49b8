import { buildMember, cleanName, findHeader, isTrue, pick, problem, splitTags } from "./fields.ts";
import type { ColumnMapping, SourceDefinition } from "./types.ts";

/*
 * One reader per platform, from the headers of their own export files:
 * - Substack: Subscribers → Export (email, active_subscription, expiry, plan, email_disabled, created_at, ...)
 * - Ghost: Members → Export (id, email, name, note, subscribed_to_emails, complimentary_plan,
 *   stripe_customer_id, created_at, deleted_at, labels, tiers)
 * - Patreon: Audience → Export CSV (Name, Email, Patron Status, Tier, Patronage Since Date,
 *   Last Charge Date, Access Expiration, Next Charge Date, User ID, ...)
 * - Kit (ConvertKit): Subscribers → Export (first_name, email_address, state, created_at, tags)
 * - Gumroad: Audience/Sales export (Purchase Email, Buyer Name, Item Name, Purchase Date,
 *   Subscription End Date, Do not contact?, Fully Refunded?, Sale ID, Subscription ID)
 */

function fixed(names: Record<string, string[]>): (headers: string[]) => ColumnMapping {
  return (headers) => {
    const m: ColumnMapping = {};
    for (const [field, candidates] of Object.entries(names)) {
      const h = findHeader(headers, ...candidates);
      if (h) (m as Record<string, string>)[field] = h;
    }
    return m;
  };
}

const running = (until: string | null, now: string) => until === null || until > now;

export const substack: SourceDefinition = {
  id: "substack",
  label: "Substack",
  required: ["email", "active_subscription", "email_disabled", "created_at"],
  mapping: fixed({
    email: ["email"],
    name: ["name"],
    joined_at: ["created_at"],
    consent: ["email_disabled"],
    tier: ["plan"],
    paid_until: ["expiry"],
    stripe_customer_id: ["stripe_customer_id"],
  }),
  map(v, line, ctx) {
    const plan = pick(v, "plan");
    const expiry = pick(v, "expiry");
    const paying = isTrue(pick(v, "active_subscription")) && plan !== "" && !/^free$/i.test(plan);
    const row = buildMember(line, {
      email: pick(v, "email"),
      name: pick(v, "name"),
      joinedAt: pick(v, "created_at"),
      tags: [],
      consent: !isTrue(pick(v, "email_disabled")),
      paid: paying ? { tier: plan, until: expiry } : null,
      stripeCustomerId: pick(v, "stripe_customer_id"),
    });
    if (row.ok && row.member.paid && !running(row.member.paid.until, ctx.now)) row.member.paid = null;
    return row;
  },
};

export const ghost: SourceDefinition = {
  id: "ghost",
  label: "Ghost",
  required: ["email", "subscribed_to_emails", "complimentary_plan", "created_at"],
  mapping: fixed({
    email: ["email"],
    name: ["name"],
    joined_at: ["created_at"],
    consent: ["subscribed_to_emails"],
    tags: ["labels"],
    tier: ["tiers"],
    stripe_customer_id: ["stripe_customer_id"],
    note: ["note"],
  }),
  map(v, line) {
    if (pick(v, "deleted_at")) return problem(line, "deleted", { email: pick(v, "email").toLowerCase() });
    const tiers = pick(v, "tiers");
    const comped = isTrue(pick(v, "complimentary_plan"));
    const customer = pick(v, "stripe_customer_id");
    // Ghost's export names the tiers but not the paid period: complimentary members keep open-ended access,
    // Stripe members keep access while their Stripe customer is linked (see service.ts, STRIPE_GRACE_DAYS).
    const paying = comped || (customer !== "" && tiers !== "");
    return buildMember(line, {
      email: pick(v, "email"),
      name: pick(v, "name"),
      joinedAt: pick(v, "created_at"),
      tags: splitTags(pick(v, "labels")),
      consent: isTrue(pick(v, "subscribed_to_emails")),
      paid: paying ? { tier: tiers.split(",")[0]?.trim() || "comp", until: "" } : null,
      stripeCustomerId: customer,
      sourceId: pick(v, "id"),
      note: pick(v, "note"),
    });
  },
};

export const patreon: SourceDefinition = {
  id: "patreon",
  label: "Patreon",
  required: ["Name", "Email", "Patron Status", "Tier"],
  mapping: fixed({
    email: ["Email"],
    name: ["Name"],
    joined_at: ["Patronage Since Date"],
    tier: ["Tier"],
    paid_until: ["Access Expiration", "Next Charge Date"],
    note: ["Additional Details"],
  }),
  map(v, line, ctx) {
    const active = /^active patron$/i.test(pick(v, "Patron Status"));
    const until = pick(v, "Access Expiration") || pick(v, "Next Charge Date");
    const row = buildMember(line, {
      email: pick(v, "Email"),
      name: pick(v, "Name"),
      joinedAt: pick(v, "Patronage Since Date"),
      tags: splitTags([pick(v, "Patron Status"), pick(v, "Tier")].filter(Boolean).join(",")),
      // Patreon's export carries no newsletter consent we could prove.
      consent: false,
      paid: active && pick(v, "Tier") ? { tier: pick(v, "Tier"), until } : null,
      sourceId: pick(v, "User ID"),
      note: pick(v, "Additional Details"),
    });
    if (row.ok && row.member.paid && !running(row.member.paid.until, ctx.now)) row.member.paid = null;
    return row;
  },
};

export const kit: SourceDefinition = {
  id: "kit",
  label: "Kit (ConvertKit)",
  required: ["email_address", "state"],
  mapping: fixed({
    email: ["email_address"],
    name: ["first_name"],
    joined_at: ["created_at"],
    consent: ["state"],
    tags: ["tags"],
  }),
  map(v, line) {
    const state = pick(v, "state").toLowerCase();
    return buildMember(line, {
      email: pick(v, "email_address"),
      name: [pick(v, "first_name"), pick(v, "last_name")].filter(Boolean).join(" "),
      joinedAt: pick(v, "created_at"),
      tags: splitTags(pick(v, "tags")),
      consent: state === "active",
      paid: null,
      sourceId: pick(v, "id", "subscriber_id"),
    });
  },
};

export const gumroad: SourceDefinition = {
  id: "gumroad",
  label: "Gumroad",
  required: ["Purchase Email", "Item Name", "Purchase Date"],
  mapping: fixed({
    email: ["Purchase Email"],
    name: ["Buyer Name"],
    joined_at: ["Purchase Date"],
    consent: ["Do not contact?"],
    tier: ["Item Name"],
    paid_until: ["Subscription End Date"],
  }),
  map(v, line, ctx) {
    const refunded = isTrue(pick(v, "Fully Refunded?")) || isTrue(pick(v, "Refunded?"));
    const subscription = pick(v, "Subscription ID");
    const until = pick(v, "Subscription End Date");
    const row = buildMember(line, {
      email: pick(v, "Purchase Email", "Email"),
      name: pick(v, "Buyer Name", "Full Name", "Name"),
      joinedAt: pick(v, "Purchase Date"),
      tags: splitTags(pick(v, "Item Name")),
      // A buyer who did not tick "do not contact" agreed to hear from the seller (Gumroad's wording).
      consent: !isTrue(pick(v, "Do not contact?")),
      paid: subscription && !refunded ? { tier: pick(v, "Item Name"), until } : null,
      sourceId: pick(v, "Sale ID"),
    });
    if (row.ok && row.member.paid && !running(row.member.paid.until, ctx.now)) row.member.paid = null;
    return row;
  },
};

/** Synonyms for a generic spreadsheet (English and French headers). */
const csvSynonyms: Record<string, string[]> = {
  email: ["email", "e-mail", "email address", "email_address", "courriel", "adresse e-mail", "mail"],
  name: ["name", "full name", "nom complet", "display name"],
  first_name: ["first name", "first_name", "prénom", "prenom"],
  last_name: ["last name", "last_name", "nom de famille", "nom"],
  joined_at: ["created_at", "created", "joined", "date", "signup date", "inscription", "date d'inscription"],
  tags: ["tags", "labels", "étiquettes", "etiquettes"],
  consent: ["consent", "subscribed", "newsletter", "opt in", "opt_in", "accepts marketing", "consentement"],
  tier: ["tier", "plan", "niveau", "formule"],
  paid_until: ["paid until", "paid_until", "expiry", "expires", "expiration", "fin"],
  stripe_customer_id: ["stripe_customer_id", "stripe customer id"],
  note: ["note", "notes"],
};

export const csv: SourceDefinition = {
  id: "csv",
  label: "CSV",
  required: [],
  mapping: fixed(csvSynonyms),
  map(v, line, ctx) {
    const col = (f: keyof ColumnMapping) => {
      const h = ctx.mapping[f];
      return h ? (v[h] ?? "").trim() : "";
    };
    const tier = col("tier");
    const row = buildMember(line, {
      email: col("email"),
      name: col("name") || cleanName([col("first_name"), col("last_name")].filter(Boolean).join(" ")),
      joinedAt: col("joined_at"),
      tags: splitTags(col("tags")),
      consent: isTrue(col("consent")),
      paid: tier ? { tier, until: col("paid_until") } : null,
      stripeCustomerId: col("stripe_customer_id"),
      note: col("note"),
    });
    if (row.ok && row.member.paid && !running(row.member.paid.until, ctx.now)) row.member.paid = null;
    return row;
  },
};

export const sources: Record<string, SourceDefinition> = { substack, ghost, patreon, kit, gumroad, csv };

/** The platform whose required headers are all present, else the generic CSV. */
export function detectSource(headers: string[]): SourceDefinition {
  for (const s of [ghost, substack, patreon, kit, gumroad]) {
    if (s.required.every((r) => findHeader(headers, r))) return s;
  }
  return csv;
}

/** The headers `source` needs that the file lacks (a wrong file for that platform). */
export function missingHeaders(source: SourceDefinition, headers: string[], mapping: ColumnMapping): string[] {
  if (source.id === "csv") return mapping.email ? [] : ["email"];
  return source.required.filter((r) => !findHeader(headers, r));
}
