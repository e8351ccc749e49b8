import type { Db } from "../../platform/db/index.ts";

/**
 * What an offer can include, described by the module that owns it (posts,
 * courses, coaching, podcasts...). The offer editor lists these in plain
 * words (a checkbox per item, and "all of them" per kind) instead of asking
 * the creator for kind:id lines; the access policy reads the same kind/id
 * pairs from offer_includes.
 */
export interface Includable {
  /** Resource kind as the access policy knows it ("course", "podcast_show"...). */
  kind: string;
  /** i18n key of the kind's plural name, e.g. "courses.includable.kind" → "Cours". */
  labelKey: string;
  /** i18n key for the "all of this kind, present and future" choice. */
  allLabelKey?: string;
  /** The items a creator can pick, titled as they see them (drafts included). */
  list(db: Db): Promise<{ id: string; title: string }[]>;
  /** Order on the editor (lower first). */
  order?: number;
}

const includables = new Map<string, Includable>();

/** Called by a module's routes() hook; registering a kind twice keeps the latest (tests build several apps). */
export function registerIncludable(includable: Includable): void {
  includables.set(includable.kind, includable);
}

export function listIncludables(): Includable[] {
  return [...includables.values()].sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.kind.localeCompare(b.kind));
}
