import { sql } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import { formatDate, tCount, type Locale } from "../../platform/i18n/index.ts";
import { money } from "./money.ts";

/**
 * How an instalment plan reads on the client's account and in the creator's figures. It is a
 * one-off sale collected over time, not a membership: it is never monthly recurring revenue,
 * and the stop we ask for after the last payment is not a cancellation (one the client asks
 * for before then still is). Kept apart from account.tsx and figures.ts so those stay as they
 * are for the page-speed work.
 */

/** SQL: paid instalments of the outer `subscriptions` row (each paid invoice is one order). */
const paidCount = sql<number>`(SELECT COUNT(*) FROM orders o WHERE o.subscription_id = subscriptions.id AND o.kind = 'subscription_invoice' AND o.amount_paid > 0)`;

/** Filter for the MRR queries: memberships only. */
export const notInstalmentPlan = sql<boolean>`subscriptions.instalments = 0`;

/** Filter for the cancellation count: a plan stopped after its last payment ended normally. */
export const notCompletedPlan = sql<boolean>`(subscriptions.instalments = 0 OR ${paidCount} < subscriptions.instalments)`;

/** Paid instalments per subscription id (only for plans; empty for memberships). */
export async function instalmentsPaidBySub(db: Db, subIds: string[]): Promise<Map<string, number>> {
  if (subIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("orders")
    .select(["subscription_id", sql<number>`COUNT(*)`.as("n")])
    .where("subscription_id", "in", subIds)
    .where("kind", "=", "subscription_invoice")
    .where("amount_paid", ">", 0)
    .groupBy("subscription_id")
    .execute();
  return new Map(rows.map((r) => [String(r.subscription_id), Number(r.n)]));
}

/** Still to collect on live plans, per currency: the unpaid instalments of each. */
export async function instalmentsDue(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("subscriptions")
    .select(["currency", sql<number>`SUM((subscriptions.instalments - ${paidCount}) * subscriptions.amount)`.as("due")])
    .where("instalments", ">", 0)
    .where("status", "in", ["active", "past_due", "trialing"])
    .where(sql<boolean>`${paidCount} < subscriptions.instalments`)
    .groupBy("currency")
    .execute();
  return new Map(rows.filter((r) => Number(r.due) > 0).map((r) => [r.currency, Number(r.due)]));
}

type PlanRow = {
  amount: number;
  currency: string;
  instalments: number;
  status: string;
  current_period_end: string | null;
};

/** "3 × 200,00 € (600,00 € au total)", inside the row's heading line. */
export function PlanSummary(props: { locale: Locale; sub: PlanRow }) {
  const { locale, sub } = props;
  const each = money(locale, sub.amount, sub.currency);
  const total = money(locale, sub.amount * sub.instalments, sub.currency);
  return <>{tCount(locale, "offers.plan.summary", sub.instalments, { each, total })}</>;
}

/** "Paiement 2 sur 3, prochain le 14 janvier 2027." then, after the last, "Payé en totalité". */
export function PlanProgress(props: { locale: Locale; tz: string; sub: PlanRow; paid: number }) {
  const { locale, tz, sub, paid } = props;
  const n = sub.instalments;
  const total = money(locale, sub.amount * n, sub.currency);
  const done = paid >= n;
  const next = !done && sub.current_period_end && sub.status !== "canceled" ? sub.current_period_end : null;
  return (
    <p class="muted small instalment-progress">
      {done
        ? tCount(locale, "offers.plan.paid_in_full", n, { total })
        : next
          ? tCount(locale, "offers.plan.progress_next", n, { k: String(paid), date: formatDate(locale, next, tz) })
          : tCount(locale, "offers.plan.progress", n, { k: String(paid) })}
    </p>
  );
}

export const instalmentViewMessages = {
  fr: {
    "offers.plan.summary.one": "{n}\u00a0× {each} ({total} au total)",
    "offers.plan.summary.other": "{n}\u00a0× {each} ({total} au total)",
    "offers.plan.progress_next.one": "Paiement {k} sur {n}, prochain le {date}.",
    "offers.plan.progress_next.other": "Paiement {k} sur {n}, prochain le {date}.",
    "offers.plan.progress.one": "Paiement {k} sur {n}.",
    "offers.plan.progress.other": "Paiement {k} sur {n}.",
    "offers.plan.paid_in_full.one": "Payé en totalité ({total}, en {n} fois).",
    "offers.plan.paid_in_full.other": "Payé en totalité ({total}, en {n} fois).",
    "offers.admin.instalments_due": "Reste à encaisser (paiements en plusieurs fois)",
    "offers.account.plans": "Paiements en plusieurs fois",
    "offers.source.instalments": "en plusieurs fois",
    "offers.plan.cannot_cancel":
      "Un paiement en plusieurs fois ne peut pas être arrêté depuis votre compte ; écrivez-nous pour en parler.",
  },
  en: {
    "offers.plan.summary.one": "{n}\u00a0× {each} ({total} in all)",
    "offers.plan.summary.other": "{n}\u00a0× {each} ({total} in all)",
    "offers.plan.progress_next.one": "Payment {k} of {n}, next on {date}.",
    "offers.plan.progress_next.other": "Payment {k} of {n}, next on {date}.",
    "offers.plan.progress.one": "Payment {k} of {n}.",
    "offers.plan.progress.other": "Payment {k} of {n}.",
    "offers.plan.paid_in_full.one": "Paid in full ({total}, in {n} payment).",
    "offers.plan.paid_in_full.other": "Paid in full ({total}, in {n} payments).",
    "offers.admin.instalments_due": "Still to collect (instalment plans)",
    "offers.account.plans": "Instalment plans",
    "offers.source.instalments": "in instalments",
    "offers.plan.cannot_cancel": "A plan paid in instalments can’t be stopped from your account; write to us about it.",
  },
};
