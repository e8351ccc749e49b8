import { z } from "zod";
import { notFound } from "../../../platform/http/errors.ts";
import { field } from "../../../platform/http/validation.ts";
import { newId } from "../../../platform/ids.ts";
import { anyStaff, defineOperation } from "../../../platform/operations.ts";
import { grantEntitlement, revokeEntitlement } from "../../access/index.ts";
import { getMember } from "../../members/index.ts";
import { accessGranted, accessRevoked } from "../events.ts";
import { formOne, idField } from "./schemas.ts";

/** Access given by hand (complimentary), and taken back. */

export const grantAccess = defineOperation({
  name: "offers.grant_access",
  input: z.object({
    memberId: idField(),
    offer: formOne.pipe(z.string().regex(/^[0-9a-f-]{36}$/, "offers.error.not_available")),
    ends: formOne.transform((v, ctx) => {
      const s = v.trim();
      if (!s) return null;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s))) {
        ctx.addIssue({ code: "custom", message: "offers.admin.bad_date" });
        return z.NEVER;
      }
      return `${s}T23:59:59.000Z`;
    }),
    note: z.preprocess((v) => v ?? "", field.text(200, { optional: true })),
  }),
  roles: anyStaff,
  async run({ trx, input, record }) {
    if (!(await getMember(trx, input.memberId))) throw notFound();
    const offer = await trx
      .selectFrom("offers")
      .select(["id", "name"])
      .where("id", "=", input.offer)
      .executeTakeFirst();
    if (!offer) throw notFound();
    await grantEntitlement(trx, {
      memberId: input.memberId,
      resourceKind: "offer",
      resourceId: offer.id,
      sourceKind: "complimentary",
      sourceId: newId(),
      endsAt: input.ends,
      note: input.note,
    });
    await record(
      accessGranted,
      { offerId: offer.id, offerName: offer.name, endsAt: input.ends },
      { memberId: input.memberId },
    );
    return { memberId: input.memberId };
  },
});

export const revokeAccess = defineOperation({
  name: "offers.revoke_access",
  input: z.object({ memberId: idField(), entitlementId: idField() }),
  roles: anyStaff,
  async run({ trx, input, record }) {
    if (!(await revokeEntitlement(trx, input.memberId, input.entitlementId, "staff"))) throw notFound();
    await record(accessRevoked, { entitlementId: input.entitlementId }, { memberId: input.memberId });
    return { memberId: input.memberId };
  },
});
