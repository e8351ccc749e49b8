import { registerAccountExport, registerEraseHook } from "../../members/index.ts";

/**
 * Erasure: delivery rows keep their place in the send's figures but lose the
 * address; opens and clicks go. The suppression list keeps a bounced or
 * complaining address (needed so we never mail it again).
 */
const eraseNewsletterData: Parameters<typeof registerEraseHook>[0] = async (trx, member) => {
  await trx
    .updateTable("newsletter_deliveries")
    .set({ email: "", reason: null })
    .where("member_id", "=", member.id)
    .execute();
  await trx.deleteFrom("newsletter_events").where("member_id", "=", member.id).execute();
};

/** "Download my data": the newsletters sent to the member, their opens and clicks, and a suppression of the address. */
const exportNewsletterData: Parameters<typeof registerAccountExport>[1] = async (db, member) => {
  const [deliveries, events, suppression] = await Promise.all([
    db
      .selectFrom("newsletter_deliveries")
      .innerJoin("newsletter_sends", "newsletter_sends.id", "newsletter_deliveries.send_id")
      .select([
        "newsletter_sends.subject",
        "newsletter_deliveries.email",
        "newsletter_deliveries.state",
        "newsletter_deliveries.reason",
        "newsletter_deliveries.accepted_at as acceptedAt",
        "newsletter_deliveries.opened_at as openedAt",
        "newsletter_deliveries.clicked_at as clickedAt",
        "newsletter_deliveries.unsubscribed_at as unsubscribedAt",
      ])
      .where("newsletter_deliveries.member_id", "=", member.id)
      .orderBy("newsletter_deliveries.send_id")
      .execute(),
    db
      .selectFrom("newsletter_events")
      .select(["send_id as sendId", "kind", "url", "created_at as at"])
      .where("member_id", "=", member.id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("newsletter_suppressions")
      .select(["reason", "detail", "created_at as at"])
      .where("email", "=", member.email)
      .executeTakeFirst(),
  ]);
  return { deliveries, events, suppression: suppression ?? null };
};

/** Erasure and "download my data" hooks for the newsletter's own rows (registered with the routes). */
export function registerNewsletterMemberData(): void {
  registerEraseHook(eraseNewsletterData);
  registerAccountExport("newsletters", exportNewsletterData);
}
