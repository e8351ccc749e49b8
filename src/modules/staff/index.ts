import type { AtelierModule } from "../../platform/http/app.tsx";
import { staffMessages } from "./i18n.ts";
import { staffRoutes } from "./routes.tsx";

export {
  createStaffUser,
  findStaffUser,
  hasOwner,
  verifyStaffPassword,
  setStaffPassword,
  checkStaffPassword,
  type StaffUser,
} from "./service.ts";
export { requireStaff, currentStaff } from "./guard.ts";

/** The owner's (and assistants') accounts: password login, TOTP second factor. */
export const staffModule: AtelierModule = {
  name: "staff",
  messages: staffMessages,
  routes: staffRoutes,
};
