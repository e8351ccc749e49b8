/**
 * The replay oracle's model (src/modules/offers/replay-oracle.test.ts): a seeded random source, the
 * lifecycle kinds, and the shapes of what must be true at the end, written from the script alone.
 */

/** mulberry32: small, fast, seeded. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    shuffle: <T>(xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
}
export type Rng = ReturnType<typeof prng>;

export interface PriceFx {
  id: string;
  offerId: string;
  amount: number;
  interval: "month" | "year" | null;
  pwyw: boolean;
  trialDays: number;
  providerPriceId: string | null;
}

export interface Buyer {
  memberId: string | null;
  email: string;
}

export type OrderStatus = "pending" | "paid" | "failed" | "expired" | "refunded";
export interface ExpectedOrder {
  buyer: Buyer;
  offerId: string;
  status: OrderStatus;
  gift: boolean;
  giftId: string | null;
}
export interface ExpectedSub {
  buyer: Buyer;
  status: string;
  offerId: string;
  priceId: string;
  cancelAtPeriodEnd: boolean;
  paidInvoices: number;
  /** Paid invoices refunded since (money back; access follows the subscription's own status). */
  refundedInvoices: number;
  kind: Kind;
}

export const kinds = [
  "subscribe_renew",
  "subscribe_trial",
  "upgrade",
  "downgrade",
  "switch_yearly",
  "fail_recover",
  "fail_lapse",
  "cancel_period_end",
  "cancel_ended",
  "cancel_now_admin",
  "buy_fixed",
  "buy_pwyw",
  "refund_dashboard",
  "refund_admin",
  "gift",
  "gift_refunded",
  "tip",
  "sepa_paid",
  "sepa_failed",
  "abandoned",
  "refund_renewal",
] as const;
export type Kind = (typeof kinds)[number];

export function newBuyerEmail(i: number): string {
  // A few new emails come back in a second lifecycle (one member, several purchases).
  return `buyer-${i % 7 === 0 ? i - (i % 14) : i}@oracle.test`;
}

export interface Tally {
  requests: number;
  applied: number;
  duplicate: number;
  ignored: number;
  errors: number;
}

export async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
