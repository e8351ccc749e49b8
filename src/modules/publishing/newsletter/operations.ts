import { z } from "zod";
import { field } from "../../../platform/http/validation.ts";
import { defineOperation, ownerOnly } from "../../../platform/operations.ts";
import { putSetting } from "../../../platform/settings.ts";
import { TRACKING_SETTING } from "./engine.ts";

/** Mail settings (open and click tracking of newsletters): the owner's alone. */
export const setMailTracking = defineOperation({
  name: "newsletter.set_tracking",
  input: z.object({ tracking: field.checkbox() }),
  roles: ownerOnly,
  async run({ trx, input }) {
    await putSetting(trx, TRACKING_SETTING, input.tracking);
    return { tracking: input.tracking };
  },
});
