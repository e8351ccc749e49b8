import { defineModule } from "../../platform/module.ts";

export { seedDemo, demoOwner, type SeedOptions, type SeedResult } from "./seed.ts";
export { demoImages } from "./images.ts";

/** The demo creator (`atelier demo`): fills every module with a believable history through their own functions. */
export const demoModule = defineModule({
  name: "demo",
  tables: [],
});
