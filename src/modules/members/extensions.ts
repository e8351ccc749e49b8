import type { Child } from "hono/jsx";
import type { Db } from "../../platform/db/index.ts";
import type { AppContext } from "../../platform/http/context.ts";
import type { Member } from "./service.ts";

/*
 * Extension points for later modules (offers, courses, publishing...): they
 * add their own block to the account page and their own data to the
 * "download my data" export without touching this module.
 */

export type AccountSectionRender = (c: AppContext, member: Member) => Child | Promise<Child>;

interface AccountSection {
  id: string;
  order: number;
  render: AccountSectionRender;
}

const sections: AccountSection[] = [];

/**
 * Adds a block to /account, shown between the profile form and the data
 * section, sorted by `order` (default 100). Registering the same id again
 * replaces the earlier block (handy for tests and hot reloads).
 */
export function registerAccountSection(render: AccountSectionRender, opts: { id?: string; order?: number } = {}): void {
  const id = opts.id ?? `section-${sections.length}`;
  const existing = sections.findIndex((s) => s.id === id);
  const section = { id, order: opts.order ?? 100, render };
  if (existing >= 0) sections[existing] = section;
  else sections.push(section);
  sections.sort((a, b) => a.order - b.order);
}

export function accountSections(): readonly AccountSection[] {
  return sections;
}

export type AccountExporter = (db: Db, member: Member) => Promise<unknown>;
const exporters = new Map<string, AccountExporter>();

/** Adds a top-level key to the member's JSON export (e.g. "orders"). */
export function registerAccountExport(key: string, exporter: AccountExporter): void {
  exporters.set(key, exporter);
}

export function accountExporters(): ReadonlyMap<string, AccountExporter> {
  return exporters;
}
