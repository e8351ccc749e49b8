import { getRequestListener } from "@hono/node-server";
import fs from "node:fs";
import http from "node:http";
import { loadConfig, type Config } from "./platform/config.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "./platform/db/index.ts";
import { createApp } from "./platform/http/app.tsx";
import { PageCache } from "./platform/http/page-cache.ts";
import { withRawRoutes } from "./platform/http/raw-routes.ts";
import type { AppEnv, Services } from "./platform/http/context.ts";
import type { Hono } from "hono";
import { startWorker, type Worker } from "./platform/jobs/index.ts";
import { errorFields, log, setLogLevel } from "./platform/log.ts";
import { createMailer, registerMailJob } from "./platform/mail/index.ts";
import { appSecret, useSettingsClock } from "./platform/settings.ts";
import { randomToken } from "./platform/security/tokens.ts";
import { modules } from "./modules/index.ts";
import { registerOutboxJob } from "./platform/events/index.ts";
import { systemClock, type Clock } from "./platform/time.ts";
import { createStorage, describeStorage } from "./platform/storage/index.ts";

export type Role = "web" | "worker" | "all";

export interface Running {
  services: Services;
  url: string;
  port: number;
  worker: Worker | null;
  /** Anonymous page cache in front of the app (null for a worker-only process). */
  pageCache: PageCache | null;
  /** The Hono app (null for a worker-only process); tests list its routes. */
  app: Hono<AppEnv> | null;
  stop(): Promise<void>;
}

/** Opens the database, applies migrations and builds the services every part shares. */
export async function bootServices(
  config: Config,
  opts: { clock?: Clock } = {},
): Promise<{ services: Services; handle: DbHandle }> {
  fs.mkdirSync(config.filesDir, { recursive: true });
  const storage = createStorage(config);
  await storage.check?.();
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(handle.db);
  const secret = await appSecret(handle.db, () => randomToken(32));
  const mailer = createMailer(handle.db, {
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
    publicUrl: config.publicUrl,
    dkim: config.newsletter.dkim,
  });
  registerMailJob();
  registerOutboxJob();
  for (const m of modules) m.jobs?.();
  useSettingsClock(handle.db, opts.clock ?? systemClock);
  return {
    handle,
    services: {
      db: handle.db,
      dialect: handle.dialect,
      dbDescription: handle.description,
      config,
      mailer,
      secret,
      clock: opts.clock ?? systemClock,
      storage,
    },
  };
}

/** Boot: config -> database + migrations -> jobs -> HTTP. */
export async function start(
  config: Config,
  opts: { role?: Role; workerPollMs?: number; clock?: Clock } = {},
): Promise<Running> {
  setLogLevel(config.logLevel);
  const role = opts.role ?? "all";
  const { services, handle } = await bootServices(config, { clock: opts.clock });
  const worker = role === "web" ? null : startWorker(services, { pollMs: opts.workerPollMs });
  let server: http.Server | null = null;
  let pageCache: PageCache | null = null;
  let app: Hono<AppEnv> | null = null;
  let port = config.port;
  if (role !== "worker") {
    const hono = createApp(services, modules);
    app = hono;
    // The page cache answers anonymous hits at the node:http level, before Hono.
    const cache = new PageCache();
    pageCache = cache;
    const listener = getRequestListener(
      cache.wrapFetch((req, env) => hono.fetch(req, env)),
      { hostname: config.host },
    );
    // Raw routes (token-addressed polls a module answers from validators it trusts) come first.
    const s = http.createServer(withRawRoutes(services, cache.wrapListener(listener)));
    server = s;
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(config.port, config.host, () => {
        s.off("error", reject);
        const address = s.address();
        if (address && typeof address === "object") port = address.port;
        resolve();
      });
    });
  }
  const url = `http://${config.host}:${port}`;
  log.info("atelier started", {
    role,
    url,
    database: services.dialect,
    where: handle.description,
    mail: services.mailer.kind,
    storage: describeStorage(config),
  });
  return {
    services,
    url,
    port,
    worker,
    pageCache,
    app,
    async stop() {
      // Stop taking requests, let the current job batch finish, then close the database.
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      pageCache?.close();
      if (worker) await worker.stop();
      services.mailer.close();
      await handle.close();
    },
  };
}

/** `atelier start`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function runForever(opts: { role?: Role } = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  let running: Running;
  try {
    running = await start(config, opts);
  } catch (err) {
    log.error("start-up failed", errorFields(err));
    console.error(`Atelier could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  console.log(`Atelier is running at ${running.url}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", errorFields(err));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
