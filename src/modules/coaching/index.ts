import { defineModule } from "../../platform/module.ts";
import { registerCheckoutGuard, registerIncludable } from "../offers/index.ts";
import { coachingTables } from "./tables.ts";
import { coachingMessages } from "./i18n.ts";
import { coachingJobs } from "./jobs.ts";
import { coachingRoutes } from "./routes.tsx";
import { listCoachingOffers } from "./offers.ts";
import { registerCoachingPersonalData } from "./personal.ts";
import { registerCoachingHomeSection } from "./home-section.tsx";
import { coachingCheckoutGuard } from "./checkout-guard.ts";

export { computeSlots, slotsByLocalDay, type AvailabilityRules } from "./availability.ts";
export { bookSession, cancelBooking, rescheduleBooking, memberBookings, HOLD_MS } from "./booking.ts";
export { createCoachingOffer, listCoachingOffers, getCoachingOffer } from "./offers.ts";
export { memberCredits } from "./credits.ts";
export { sendDueReminders, releaseExpiredHolds } from "./jobs.ts";
export { seedCoachingDemo, type CoachingDemoResult } from "./demo.ts";

/** Coaching: availability in the creator's zone, sessions and packages sold through offers, bookings, invitations. */
export const coachingModule = defineModule({
  name: "coaching",
  tables: coachingTables,
  messages: coachingMessages,
  routes(app) {
    registerIncludable({
      kind: "coaching",
      labelKey: "coaching.includable.kind",
      order: 40,
      list: async (db) => (await listCoachingOffers(db)).map((o) => ({ id: o.id, title: o.title })),
    });
    registerCheckoutGuard("coaching", coachingCheckoutGuard);
    registerCoachingPersonalData();
    registerCoachingHomeSection();
    coachingRoutes(app);
  },
  jobs: coachingJobs,
});
