import { registerOfferMailJobs } from "./mails.ts";
import { registerStripeSyncJob } from "./stripe-sync.ts";
import { registerNotificationJobs } from "./notifications.ts";
import { registerInstalmentsJob } from "./instalments.ts";

/** Purchase, gift and renewal emails, and the catalogue's sync to Stripe. */
export function offersJobs(): void {
  registerOfferMailJobs();
  registerStripeSyncJob();
  registerNotificationJobs();
  registerInstalmentsJob();
}
