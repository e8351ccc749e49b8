import { defineModule } from "../../platform/module.ts";
import { portabilityMessages } from "./i18n.ts";
import { registerImportJobs, rememberStorage } from "./jobs.ts";
import { portabilityTables } from "./tables.ts";
import { importRoutes } from "./routes.tsx";
import { registerImportPersonalData } from "./personal.ts";

export {
  createImport,
  startImport,
  runImport,
  getImport,
  listImports,
  importReport,
  setImportMapping,
  type ImportRow,
  type ImportMapping,
} from "./service.ts";
export { memberSources, type MemberSource } from "./sources/types.ts";
export { portabilityTables } from "./tables.ts";
export { importCommand, ImportCommandError } from "./cli.ts";
export { portabilityMessages } from "./i18n.ts";

/** Moving in: member files (and later content) from the platforms people leave. */
export const portabilityModule = defineModule({
  name: "portability",
  tables: portabilityTables,
  messages: portabilityMessages,
  routes(app) {
    registerImportPersonalData();
    app.use("/admin/*", async (c, next) => {
      rememberStorage(c.var.services.db, c.var.services.storage);
      await next();
    });
    importRoutes(app);
  },
  jobs() {
    registerImportJobs();
  },
});
