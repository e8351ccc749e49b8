import path from "node:path";
import { LocalStorage } from "../../src/platform/storage/index.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../src/platform/db/index.ts";
import type { Services } from "../../src/platform/http/context.ts";
import { testClock, type TestClock } from "../../src/platform/time.ts";
import { freshDatabase } from "./db.ts";

export interface TestServices {
  services: Services;
  handle: DbHandle;
  clock: TestClock;
  stop(): Promise<void>;
}

/**
 * A migrated fresh database and the services operations need, without HTTP or
 * mail: for testing operations, events and the outbox directly.
 */
export async function startTestServices(): Promise<TestServices> {
  const database = await freshDatabase();
  const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  await migrateToLatest(handle.db);
  const clock = testClock();
  const services = {
    db: handle.db,
    dialect: handle.dialect,
    dbDescription: handle.description,
    secret: "test-secret",
    clock,
    storage: new LocalStorage(path.join(database.dataDir, "files")),
  } as unknown as Services;
  return {
    services,
    handle,
    clock,
    async stop() {
      await handle.close();
      await database.cleanup();
    },
  };
}
