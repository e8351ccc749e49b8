import { defineModule } from "../../platform/module.ts";
import { siteMessages } from "./i18n.ts";
import { siteRoutes } from "./routes.tsx";

export { setupGate } from "./routes.tsx";
export { performSetup, saveSettings } from "./service.ts";
export { zoneLabel } from "./views/inputs.tsx";

/** The creator's site: first-run setup, the story home page, About, and the site settings. */
export const siteModule = defineModule({
  name: "site",
  tables: [],
  messages: siteMessages,
  routes: siteRoutes,
});
