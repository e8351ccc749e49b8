import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { randomToken } from "../../src/platform/security/tokens.ts";

/** The PostgreSQL server tests use, when one is given; otherwise tests run on SQLite. */
export function testPostgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export interface FreshDatabase {
  dataDir: string;
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

/**
 * A brand-new, empty database for one test file: a temp SQLite file, or a
 * new PostgreSQL database created on the given server and dropped afterwards.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-test-"));
  const server = testPostgresUrl();
  if (!server) {
    return {
      dataDir,
      databaseUrl: undefined,
      cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `atelier_t_${randomToken(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")}_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  // Tests kill Atelier's processes, never the PostgreSQL server, so waiting for each commit's WAL flush
  // (about 2 ms a commit on this disk) tests nothing; visibility and atomicity stay exactly the same.
  if (process.env.TEST_PG_SYNC_COMMIT !== "on")
    await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    async cleanup() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
