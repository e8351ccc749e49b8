import { registerOfferMailJobs } from "./mails.ts";
import { registerStripeSyncJob } from "./stripe-sync.ts";

/** Purchase, gift and renewal emails, and the catalogue's sync to Stripe. */
export function offersJobs(): void {
  registerOfferMailJobs();
  registerStripeSyncJob();
}
