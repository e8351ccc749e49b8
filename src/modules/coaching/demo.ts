import type { Db } from "../../platform/db/index.ts";

/** Placeholder until the demo seed lands (see HANDOFF). */
export async function seedCoachingDemo(_db: Db): Promise<void> {}
