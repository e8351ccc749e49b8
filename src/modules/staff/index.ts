import { defineModule } from "../../platform/module.ts";
import { staffTables } from "./tables.ts";
import { staffMessages } from "./i18n.ts";
import { staffRoutes } from "./routes.tsx";

export {
  createStaffUser,
  findStaffUser,
  hasOwner,
  ownerEmail,
  ownerContact,
  importStaffUser,
  verifyStaffPassword,
  setStaffPassword,
  checkStaffPassword,
  type StaffUser,
} from "./service.ts";
export { requireStaff, currentStaff, staffActorOf } from "./guard.ts";

/** The owner's (and assistants') accounts: password login, TOTP second factor. */
export const staffModule = defineModule({
  name: "staff",
  tables: staffTables,
  messages: staffMessages,
  routes: staffRoutes,
});
