import { loadConfig } from "../../src/platform/config.ts";
import { start, type Running } from "../../src/main.ts";
import { updateSiteSettings, type SiteSettings } from "../../src/platform/settings.ts";
import { hashPassword } from "../../src/platform/security/passwords.ts";
import { newId, nowIso } from "../../src/platform/ids.ts";
import type { Db } from "../../src/platform/db/index.ts";
import { freshDatabase } from "./db.ts";
import type { Clock } from "../../src/platform/time.ts";
import { startSmtpSink, type SmtpSink } from "./smtp.ts";
import { TestClient } from "./client.ts";

export interface TestApp {
  url: string;
  db: Db;
  running: Running;
  mail: SmtpSink;
  client(): TestClient;
  /** Runs every due job now (mail sends included). */
  drainJobs(): Promise<number>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  /** Leave the first-run setup undone (setup wizard tests). */
  skipSetup?: boolean;
  site?: Partial<SiteSettings>;
  env?: Record<string, string>;
  /** Run without SMTP_URL, so mail lands in the dev mailbox (admin /admin/mailbox). */
  devMailbox?: boolean;
  /** The services' clock (a testClock() to move time without sleeping). */
  clock?: Clock;
}

export const ownerEmail = "owner@atelier.test";
export const ownerPassword = "correct horse battery";

/** An Atelier on a random port, on a fresh database, sending mail over SMTP to an in-process sink. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const mail = await startSmtpSink();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...(opts.devMailbox ? {} : { SMTP_URL: mail.url }),
    MAIL_FROM: "Atelier <hello@atelier.test>",
    LOG_LEVEL: "error",
    // Tests play several clients from one machine by setting X-Forwarded-For.
    TRUST_PROXY: "1",
    ...opts.env,
  });
  const running = await start(config, { workerPollMs: 25, clock: opts.clock });
  // PUBLIC_URL defaults from PORT, which was 0: point it at the real port.
  if (!opts.env?.PUBLIC_URL) running.services.config.publicUrl = running.url;
  const db = running.services.db;
  if (!opts.skipSetup) await completeSetup(db, opts.site);
  return {
    url: running.url,
    db,
    running,
    mail,
    client: () => new TestClient(running.url),
    drainJobs: () => running.worker!.drain(),
    async stop() {
      await running.stop();
      await mail.close();
      await database.cleanup();
    },
  };
}

/** What the setup wizard leaves behind, written directly: an owner and a named site. */
export async function completeSetup(db: Db, site: Partial<SiteSettings> = {}): Promise<void> {
  const at = nowIso();
  await db
    .insertInto("staff_users")
    .values({
      id: newId(),
      email: ownerEmail,
      name: "Camille",
      password_hash: await hashPassword(ownerPassword),
      role: "owner",
      locale: site.locale ?? "fr",
      totp_secret: null,
      totp_enabled: 0,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await updateSiteSettings(db, {
    setupDone: true,
    name: "L’atelier de Camille",
    tagline: "Céramique et transmission",
    storyMarkdown: "J’ai ouvert mon atelier pour transmettre.",
    storyHtml: "<p>J’ai ouvert mon atelier pour transmettre.</p>",
    contactEmail: ownerEmail,
    ...site,
  });
}
