/**
 * Benchmark "booking-slots": the public slot page of a coaching offer, a
 * month ahead (the default 31 days), for a creator with weekly hours, 20 date overrides,
 * 500 existing bookings and an external calendar of 1,000 busy events,
 * requested by anonymous visitors in many time zones (one path per zone:
 * every zone renders its own page), against a bare node:http server sending
 * the same bytes per path (method in support/page-bench.ts). The zone is in
 * the path (/coaching/<slug>/at/<Area/City>); in "uncached" mode every
 * request carries a unique query string, so each one computes the slots.
 */
import { runPageBench } from "./support/page-bench.ts";
import { prepareBookingSlots } from "./support/booking-slots-seed.ts";

const zonesWanted = Number(process.env.BENCH_ZONES ?? 300);

await runPageBench({
  names: { uncached: "booking-slots" },
  prepare: (db, seeded) => prepareBookingSlots(db, seeded, zonesWanted),
  check(path, body) {
    if (!body.includes("coaching-time")) throw new Error(`${path} showed no slot`);
  },
  targets: { uncached: { ratio: 0.1, goal: 0.25 } },
});
