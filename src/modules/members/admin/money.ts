import type { Child } from "hono/jsx";
import type { RawBuilder } from "kysely";
import type { Db } from "../../../platform/db/index.ts";
import type { AppContext } from "../../../platform/http/context.ts";
import type { Member } from "../service.ts";
import type { MoneyContext } from "./queries.ts";

/*
 * Who pays what, as the member list and the member file need it. The money
 * lives in the offers module, which depends on this one; so offers registers
 * a provider here (when its routes load) instead of members importing offers,
 * the same inversion as access's offer terms. Without offers the list simply
 * has no money columns.
 */

/** "paying": a live subscription; "customer": has paid, no live subscription; "free": never paid. */
export const payingStatuses = ["paying", "customer", "free"] as const;
export type PayingStatus = (typeof payingStatuses)[number];

export interface MemberMoney {
  /** Lifetime revenue in the site's currency, minor units, refunds deducted. */
  revenue: number;
  paying: PayingStatus;
  /** The name of the tier they hold now (paid or given), or null. */
  tier: string | null;
}

export interface MemberMoneyProvider {
  /** The tiers a member may hold, for the filter's choices. */
  tiers(db: Db): Promise<{ id: string; name: string }[]>;
  /** The money facts of a page of members (one query per fact, whatever the page size). */
  summaries(db: Db, memberIds: readonly string[], currency: string, at: string): Promise<Map<string, MemberMoney>>;
  /** SQL: lifetime revenue (integer, 0 when none) of the member whose id is the column `memberRef`. */
  revenueSql(memberRef: string, currency: string): RawBuilder<number>;
  /** SQL: that member has this paying status at `at`. */
  payingSql(memberRef: string, status: PayingStatus, at: string): RawBuilder<boolean>;
  /** SQL: that member holds this tier at `at`. */
  tierSql(memberRef: string, offerId: string, at: string): RawBuilder<boolean>;
}

let provider: MemberMoneyProvider | null = null;

export function registerMemberMoney(p: MemberMoneyProvider): void {
  provider = p;
}

export function memberMoney(): MemberMoneyProvider | null {
  return provider;
}

export type MemberFileSectionRender = (c: AppContext, member: Member) => Child | Promise<Child>;
const sections: { id: string; order: number; render: MemberFileSectionRender }[] = [];

/**
 * Adds a block to the owner's page of a member (purchases, courses...), shown
 * between the profile and the timeline, sorted by `order`. The same id again
 * replaces the earlier block.
 */
export function registerMemberFileSection(id: string, render: MemberFileSectionRender, order = 100): void {
  const i = sections.findIndex((s) => s.id === id);
  if (i >= 0) sections[i] = { id, order, render };
  else sections.push({ id, order, render });
  sections.sort((a, b) => a.order - b.order);
}

export function memberFileSections(): readonly { id: string; render: MemberFileSectionRender }[] {
  return sections;
}

/** The currency and instant the money columns are computed for (the site's currency, now). */
export function moneyContext(c: AppContext): MoneyContext {
  return { currency: c.var.site.currency, at: c.var.services.clock.nowIso() };
}
