import { isValidEmail, normalizeEmail } from "../../../platform/email.ts";
import type { ImportedMember, MappedRow, RowProblem } from "./types.ts";

/*
 * The small readers every platform shares: header lookup ignoring case and
 * spacing, e-mail and date checks, booleans as each platform spells them.
 */

export function key(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
}

const keyed = new WeakMap<Record<string, string>, Map<string, string>>();
const keyCache = new Map<string, string>();
function cachedKey(h: string): string {
  let k = keyCache.get(h);
  if (k === undefined) {
    k = key(h);
    if (keyCache.size < 10_000) keyCache.set(h, k);
  }
  return k;
}

/** The value of the first of `names` present in the row (headers compared by key()). */
export function pick(values: Record<string, string>, ...names: string[]): string {
  let byKey = keyed.get(values);
  if (!byKey) {
    byKey = new Map();
    for (const [h, v] of Object.entries(values)) {
      const k = cachedKey(h);
      if (!byKey.has(k)) byKey.set(k, v);
    }
    keyed.set(values, byKey);
  }
  for (const name of names) {
    const v = byKey.get(cachedKey(name));
    if (v !== undefined) return v.trim();
  }
  return "";
}

/** The header of `headers` that matches one of `names`, as written in the file. */
export function findHeader(headers: string[], ...names: string[]): string | undefined {
  const wanted = names.map(key);
  for (const name of wanted) {
    const h = headers.find((x) => key(x) === name);
    if (h) return h;
  }
  return undefined;
}

export function isTrue(v: string): boolean {
  return /^(true|yes|y|1|oui|subscribed|active|opted in)$/i.test(v.trim());
}

/** An ISO UTC time from the date formats the exports use; null for empty, "invalid" when unreadable. */
export function parseDate(v: string): string | null | "invalid" {
  const s = v.trim();
  if (!s) return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(
    s,
  );
  if (m) {
    const zone = !m[7] || /^(z|utc)$/i.test(m[7]) ? "Z" : m[7].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${zone}`;
    const [y, mo, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const calendar = new Date(Date.UTC(y, mo - 1, day));
    if (calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== day) return "invalid";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "invalid" : d.toISOString();
  }
  // "Jan 5, 2023", "March 5, 2023 10:00 AM" (Patreon, Gumroad)
  m = /^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}/.exec(s);
  if (m) {
    const d = new Date(`${s.replace(/,/g, "")} UTC`);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  return "invalid";
}

/** Comma- or semicolon-separated labels, trimmed and lower-cased, at most 20 and 40 characters each. */
export function splitTags(v: string): string[] {
  return [
    ...new Set(
      v
        .split(/[,;]/)
        .map((t) =>
          t
            .normalize("NFC")
            .trim()
            .replace(/\s+/g, " ")
            .toLowerCase()
            .replace(/[\u0000-\u001F\u007F<>]/g, ""),
        )
        .filter((t) => t.length > 0 && t.length <= 40),
    ),
  ]
    .sort()
    .slice(0, 20);
}

/** Name fields: one line, no control characters, at most 80 characters. */
export function cleanName(v: string): string {
  return v
    .normalize("NFC")
    .replace(/[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 80);
}

export function problem(line: number, reason: string, extra: Omit<RowProblem, "line" | "reason"> = {}): MappedRow {
  return { ok: false, line, reason, ...extra };
}

/**
 * Checks the e-mail and dates shared by every source and builds the member;
 * `dates` names each date field so a bad one is reported by name.
 */
export function buildMember(
  line: number,
  raw: {
    email: string;
    name: string;
    joinedAt: string;
    tags: string[];
    consent: boolean;
    consentAt?: string;
    paid: { tier: string; until: string } | null;
    stripeCustomerId?: string;
    stripeSubscriptionId?: string;
    sourceId?: string;
    note?: string;
  },
): MappedRow {
  const email = normalizeEmail(raw.email);
  if (!email) return problem(line, "email_missing");
  // The platform's one email rule: an imported address is held to what join and checkout accept.
  if (!isValidEmail(email)) return problem(line, "email_invalid", { email });
  const joinedAt = parseDate(raw.joinedAt);
  if (joinedAt === "invalid")
    return problem(line, "date_invalid", { email, params: { value: raw.joinedAt.slice(0, 40) } });
  const consentAt = raw.consentAt === undefined ? joinedAt : parseDate(raw.consentAt);
  if (consentAt === "invalid")
    return problem(line, "date_invalid", { email, params: { value: (raw.consentAt ?? "").slice(0, 40) } });
  let paid: ImportedMember["paid"] = null;
  if (raw.paid) {
    const until = parseDate(raw.paid.until);
    if (until === "invalid")
      return problem(line, "date_invalid", { email, params: { value: raw.paid.until.slice(0, 40) } });
    paid = { tier: cleanName(raw.paid.tier), until };
  }
  return {
    ok: true,
    member: {
      line,
      email,
      name: cleanName(raw.name),
      joinedAt,
      tags: raw.tags,
      consent: { granted: raw.consent, at: consentAt },
      paid,
      stripeCustomerId: stripeId(raw.stripeCustomerId, "cus_"),
      stripeSubscriptionId: stripeId(raw.stripeSubscriptionId, "sub_"),
      sourceId: raw.sourceId?.trim().slice(0, 100) || null,
      note: (raw.note ?? "").normalize("NFC").trim().slice(0, 2000),
    },
  };
}

function stripeId(v: string | undefined, prefix: string): string | null {
  const s = (v ?? "").trim();
  return s.startsWith(prefix) && /^[A-Za-z0-9_]{5,255}$/.test(s) ? s : null;
}
