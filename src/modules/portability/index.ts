import type { AtelierModule } from "../../platform/http/app.tsx";
import { portabilityMessages } from "./i18n.ts";
import { registerImportJobs, rememberFilesDir } from "./jobs.ts";
import { registerImportPersonalData } from "./personal.ts";
import { importRoutes } from "./routes.tsx";
import "./tables.ts";

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

/** Moving in: member files (and later content) from the platforms people leave. */
export const portabilityModule: AtelierModule = {
  name: "portability",
  messages: portabilityMessages,
  routes(app) {
    registerImportPersonalData();
    app.use("/admin/*", async (c, next) => {
      rememberFilesDir(c.var.services.db, c.var.services.config.filesDir);
      await next();
    });
    importRoutes(app);
  },
  jobs() {
    registerImportJobs();
  },
};
