import { defineModule } from "../../platform/module.ts";
import { adminMessages } from "./i18n.ts";
import { registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { requireStaff } from "../staff/index.ts";
import { dashboardPage } from "./dashboard.tsx";
import { jobsRoutes } from "./jobs-page.tsx";
import { mailboxRoutes } from "./mailbox.tsx";
import { systemRoutes } from "./system.tsx";
import { registerCleanupJob } from "./jobs.ts";

/** The admin shell: layout, navigation, dashboard, jobs and dev mailbox pages. */
export const adminModule = defineModule({
  name: "admin",
  tables: [],
  messages: adminMessages,
  routes(app) {
    // Every /admin page needs a complete staff login (the guard lets the login pages through).
    app.use("/admin", requireStaff());
    app.use("/admin/*", requireStaff());
    registerAdminNav({ href: "/admin", labelKey: "admin.nav.dashboard", order: 0 });
    app.get("/admin", (c) => dashboardPage(c));
    jobsRoutes(app);
    mailboxRoutes(app);
    systemRoutes(app);
  },
  jobs: registerCleanupJob,
});
