import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { registerNavLink } from "../../platform/views/layout.tsx";
import { assetRoutes } from "./assets.tsx";
import { offerPage, publicRoutes } from "./public.tsx";
import { applicationRoutes } from "./application-views.tsx";
import { accountRoutes } from "./account.tsx";
import { adminRoutes } from "./admin.tsx";
import { feedRoutes } from "./feed.ts";
import { latePaymentRoutes } from "./late-payments.tsx";
import { zoneListRoutes } from "./zone-picker.tsx";
import { manageRoutes } from "./manage.tsx";

export function coachingRoutes(app: Hono<AppEnv>): void {
  registerNavLink({ href: "/coaching", labelKey: "coaching.nav", order: 30 });
  assetRoutes(app);
  feedRoutes(app);
  manageRoutes(app);
  adminRoutes(app);
  latePaymentRoutes(app);
  accountRoutes(app);
  zoneListRoutes(app);
  applicationRoutes(app, offerPage);
  publicRoutes(app);
}
