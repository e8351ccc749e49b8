import type { AtelierModule } from "../platform/module.ts";
import { accessModule } from "./access/index.ts";
import { demoModule } from "./demo/index.ts";
import { siteModule } from "./site/index.ts";
import { adminModule } from "./admin/index.ts";
import { staffModule } from "./staff/index.ts";
import { membersModule } from "./members/index.ts";
import { offersModule } from "./offers/index.ts";
import { publishingModule } from "./publishing/index.ts";
import { portabilityModule } from "./portability/index.ts";
import { podcastsModule } from "./podcasts/index.ts";
import { coachingModule } from "./coaching/index.ts";
import { coursesModule } from "./courses/index.ts";

/**
 * Every domain module, in the order their routes and middleware are added.
 * `site` comes first: until setup is done it sends every page to /setup.
 */
export const modules: AtelierModule[] = [
  siteModule,
  adminModule,
  staffModule,
  membersModule,
  offersModule,
  publishingModule,
  portabilityModule,
  podcastsModule,
  coachingModule,
  accessModule,
  coursesModule,
  demoModule,
];
