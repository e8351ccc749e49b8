import { z } from "zod";
import { defineOperation, ownerOnly } from "../../../platform/operations.ts";
import { eraseMember } from "../service.ts";

/** Erasing a member and everything said about them: the owner's alone (an assistant gets a 403). */
export const eraseMemberByStaff = defineOperation({
  name: "members.erase",
  input: z.object({ id: z.string().min(1).max(64) }),
  roles: ownerOnly,
  async run({ trx, input }) {
    await eraseMember(trx, input.id, "staff");
    return { id: input.id };
  },
});
