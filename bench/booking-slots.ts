/**
 * Benchmark "booking-slots": the public slot page of a coaching offer for a
 * creator with weekly hours, 20 date overrides, 500 existing bookings and an
 * external calendar of 1,000 busy events, requested by anonymous visitors in
 * many time zones (one path per zone: every zone renders its own page),
 * against a bare node:http server sending the same bytes per path (method in
 * support/page-bench.ts). The zone is in the path
 * (/coaching/<slug>/at/<Area/City>). It asks for a month on one page
 * (`?days=31`, as the issue's benchmark does); BENCH_SLOT_DAYS=7 measures the
 * page's default first week instead (booking-slots-7d.json, no query string).
 * - "uncached" (booking-slots.json): every request carries a unique query
 *   string, so the page cache never answers and every request reads the
 *   rules and busy times and computes the slots (there is no other memo of
 *   slots or pages);
 * - "cached" (booking-slots-cached-7d.json, the week only): plain paths; the
 *   platform's page cache answers anonymous visitors' repeated paths (hits
 *   counted by the app). It never stores an address with a query string, so
 *   for the month's `?days=31` pages it would measure renders again: not run.
 * BENCH_DATABASE_URL runs it on PostgreSQL (NAME-pg.json).
 */
import { runPageBench } from "./support/page-bench.ts";
import { prepareBookingSlots } from "./support/booking-slots-seed.ts";

const zonesWanted = Number(process.env.BENCH_ZONES ?? 300);
const days = Number(process.env.BENCH_SLOT_DAYS ?? 31);
const suffix = days === 31 ? "" : `-${days}d`;

await runPageBench({
  names: { uncached: `booking-slots${suffix}`, cached: days === 7 ? `booking-slots-cached${suffix}` : undefined },
  prepare: (db, seeded) => prepareBookingSlots(db, seeded, zonesWanted, days),
  check(path, body) {
    if (!body.includes("coaching-time")) throw new Error(`${path} showed no slot`);
  },
  targets: { uncached: { ratio: 0.1, goal: 0.25 }, cached: {} },
});
