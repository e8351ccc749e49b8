import type { Db } from "../../platform/db/index.ts";
import { nowIso } from "../../platform/ids.ts";

/**
 * Ties a payment provider's existing customer (named in another platform's
 * export) to a member, so their next checkout, portal visit and webhooks land
 * on the same person. First link wins, as in fulfilment: a customer already
 * tied to a member is never moved. Returns false when it belonged to someone else.
 */
export async function linkImportedCustomer(
  db: Db,
  link: { provider: "stripe"; providerCustomerId: string; memberId: string },
): Promise<boolean> {
  await db
    .insertInto("provider_customers")
    .values({
      provider_customer_id: link.providerCustomerId,
      provider: link.provider,
      member_id: link.memberId,
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .selectFrom("provider_customers")
    .select("member_id")
    .where("provider_customer_id", "=", link.providerCustomerId)
    .executeTakeFirst();
  return row?.member_id === link.memberId;
}
