import type { z } from "zod";
import { formatDate, formatDateTime, formatMoney, formatNumber, t, type Locale, type Params } from "../i18n/index.ts";

/**
 * The event catalogue: each event type is declared once, with its version,
 * the schema of its payload, an example payload and how it reads on a
 * timeline in French and English. `record()` only accepts declared events
 * with a payload of their type, so an unknown event or a wrong payload does
 * not type-check (and is refused at run time too).
 */

/** Formatting helpers handed to timeline text, in the viewer's language and time zone. */
export interface TimelineFormat {
  locale: Locale;
  money(minor: number, currency: string): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  number(n: number): string;
  /** A catalog message in the viewer's language (field names, statuses shared with other screens). */
  t(key: string, params?: Params): string;
  /** A list in the viewer's language: « a, b et c ». */
  list(items: readonly string[]): string;
}

export function timelineFormat(locale: Locale, timeZone = "Europe/Paris"): TimelineFormat {
  return {
    locale,
    money: (minor, currency) => formatMoney(locale, minor, currency),
    date: (iso) => formatDate(locale, iso, timeZone),
    dateTime: (iso) => formatDateTime(locale, iso, timeZone),
    number: (n) => formatNumber(locale, n),
    t: (key, params) => t(locale, key, params),
    list: (items) => new Intl.ListFormat(locale === "fr" ? "fr-FR" : "en-GB", { type: "conjunction" }).format(items),
  };
}

export type TimelineText<P> = (payload: P, fmt: TimelineFormat) => string;

export interface EventType<T extends string = string, S extends z.ZodType = z.ZodType> {
  /** Dotted name, `<subject>.<past participle>`: "order.paid". Never reused for another meaning. */
  readonly type: T;
  /** Bumped when the payload changes shape; rows keep the version they were written with. */
  readonly version: number;
  readonly payload: S;
  /** A realistic payload: documentation, and the catalogue test renders it. */
  readonly example: z.output<S>;
  readonly timeline: { fr: TimelineText<z.output<S>>; en: TimelineText<z.output<S>> };
}

export type PayloadOf<E> = E extends EventType<string, infer S> ? z.output<S> : never;

const registry = new Map<string, EventType>();

/** Declares an event type (once per process: a second declaration of the same name throws). */
export function defineEvent<const T extends string, S extends z.ZodType>(def: EventType<T, S>): EventType<T, S> {
  const existing = registry.get(def.type);
  if (existing && existing !== (def as unknown as EventType)) throw new Error(`Event type ${def.type} declared twice`);
  registry.set(def.type, def as unknown as EventType);
  return def;
}

/** Every declared event type, by name. */
export function eventCatalogue(): ReadonlyMap<string, EventType> {
  return registry;
}

export function findEventType(type: string): EventType | undefined {
  return registry.get(type);
}

/**
 * How one stored event reads on a timeline. Rows of an older version, or of a
 * type no longer declared, read as their type name rather than failing the page.
 */
export function describeEvent(
  row: { type: string; version: number; data: unknown },
  fmt: TimelineFormat,
): { text: string; declared: boolean } {
  const def = registry.get(row.type);
  if (!def || def.version !== row.version) return { text: row.type, declared: false };
  const parsed = def.payload.safeParse(row.data);
  if (!parsed.success) return { text: row.type, declared: false };
  return { text: def.timeline[fmt.locale](parsed.data, fmt), declared: true };
}
