/** The owner's member management (/admin/members...), mounted by the members module. */
export { memberAdminRoutes } from "./routes.tsx";
export { memberAdminMessages } from "./i18n.ts";
