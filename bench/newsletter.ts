/**
 * Benchmark "newsletter": one paid post sent to N members (BENCH_NEWSLETTER_N,
 * default 100,000) by an Atelier worker child process into an SMTP sink in
 * another process, against the real SMTP ceiling: nodemailer sending
 * pre-built raw messages (the same post's email composed once by
 * nodemailer's MailComposer; per recipient only To and Message-ID are put in)
 * to the same N addresses through the same sink with the same pool size,
 * same run. Our figure includes everything a real send does per recipient:
 * the consent and suppression re-check, canAccess for the paywall,
 * personalised links, headers, and the per-row `accepted` mark in the
 * database. The bench waits by state: for the worker to have claimed its
 * first (recurring) jobs before creating the send, and for the send to be
 * `finished`.
 */
import { loadConfig } from "../src/platform/config.ts";
import { systemClock } from "../src/platform/time.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { migrateToLatest, openDatabase } from "../src/platform/db/index.ts";
import { completeSetup } from "../test/support/app.ts";
import { createSend, getSend } from "../src/modules/publishing/newsletter/engine.ts";
import { figures } from "../src/modules/publishing/newsletter/figures.ts";
import { personalise, renderVariant } from "../src/modules/publishing/newsletter/render.ts";
import { getPostForSending } from "../src/modules/publishing/service.ts";
import { getSiteSettings } from "../src/platform/settings.ts";
import {
  seedMembers,
  seedPaidPost,
  startSinkProcess,
  startWorkerProcess,
  stopProcess,
} from "../src/modules/publishing/newsletter/testing/harness.ts";
import { benchDatabase, root, writeResult } from "./support/harness.ts";

const N = Number(process.env.BENCH_NEWSLETTER_N ?? 100_000);
const pool = Number(process.env.NEWSLETTER_SMTP_POOL ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-nl-"));
// On PostgreSQL a database of its own, dropped afterwards: a second run must not meet the first one's rows.
const database = await benchDatabase();
const databaseUrl = database.url;
const handle = openDatabase({ dataDir, databaseUrl });
const sink = await startSinkProcess();
try {
  const db = handle.db;
  await migrateToLatest(db);
  await completeSetup(db);
  let t = performance.now();
  await seedMembers(db, N, { payingEvery: 10 });
  const seedMs = performance.now() - t;
  const postId = await seedPaidPost(db);

  // Baseline: nodemailer, same pool size, one pre-rendered message (this very post, rendered once
  // as a free member's email, 10 % of recipients would get the paid one) to the same N addresses.
  const post = await getPostForSending(db, postId);
  if (!post) throw new Error("bench post missing");
  const publicUrl = "https://lettres.atelier.test";
  const unsubUrl = `${publicUrl}/unsubscribe?token=${"x".repeat(60)}`;
  const { html, text } = personalise(
    renderVariant({
      post,
      subject: "Lettre de novembre",
      site: await getSiteSettings(db),
      locale: "fr",
      full: false,
      publicUrl,
      secret: "bench",
      sendId: "bench",
      tracking: false,
    }),
    unsubUrl,
    "",
  );
  const headers = {
    "List-Unsubscribe": `<${unsubUrl}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "<newsletter.lettres.atelier.test>",
  };
  // Composed once, before the clock starts; per recipient only two placeholders are replaced.
  const template = (
    await new MailComposer({
      from: "Atelier <hello@atelier.test>",
      to: "rcpt-placeholder@example.test",
      replyTo: "owner@atelier.test",
      subject: "Lettre de novembre",
      html,
      text,
      headers,
      messageId: "<msgid-placeholder@lettres.atelier.test>",
    })
      .compile()
      .build()
  ).toString("latin1");
  if (!template.includes("rcpt-placeholder@example.test") || !template.includes("msgid-placeholder"))
    throw new Error("baseline template lost its placeholders");
  const transport = nodemailer.createTransport({
    url: sink.smtpUrl,
    pool: true,
    maxConnections: pool,
    maxMessages: Infinity,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: pool * 4 }, async () => {
      while (next < N) {
        const i = next++;
        const to = `m${i}@example.test`;
        const raw = template.replace("rcpt-placeholder@example.test", to).replace("msgid-placeholder", `bench.${i}`);
        await transport.sendMail({
          envelope: { from: "hello@atelier.test", to: [to] },
          raw: Buffer.from(raw, "latin1"),
        });
      }
    }),
  );
  const baseMs = performance.now() - t;
  transport.close();
  const baseStats = await sink.stats();
  if (baseStats.total !== N) throw new Error(`baseline: sink got ${baseStats.total} of ${N}`);
  await sink.reset();

  // Atelier: a worker child process, started and idle before the send is created.
  const worker = startWorkerProcess(
    {
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      SMTP_URL: sink.smtpUrl,
      MAIL_FROM: "Atelier <hello@atelier.test>",
      PUBLIC_URL: "https://lettres.atelier.test",
      NEWSLETTER_SMTP_POOL: String(pool),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    },
    // BENCH_CPU_PROF=<dir>: a CPU profile of the sending worker (written when it stops).
    process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
  );
  // Ready when it has claimed its first jobs (the recurring ones every worker enqueues on its first round).
  const bootStarted = performance.now();
  for (;;) {
    const claimed = await db
      .selectFrom("jobs")
      .select("id")
      .where("dedupe_key", "like", "recurring:%")
      .where("state", "!=", "queued")
      .executeTakeFirst();
    if (claimed) break;
    if (performance.now() - bootStarted > 120_000) throw new Error("the worker did not start within 120 s");
    await sleep(50);
  }
  const workerBootMs = performance.now() - bootStarted;
  t = performance.now();
  const sendId = await createSend(
    { db, config: loadConfig({}), clock: systemClock },
    {
      postId,
      subject: "Lettre de novembre",
      segment: { kind: "all" },
      scheduledAt: null,
      createdBy: null,
    },
  );
  const rowsMs = performance.now() - t;
  let state = "";
  const limitMs = 15 * 60_000;
  while (performance.now() - t < limitMs) {
    state = (await getSend(db, sendId))?.state ?? "";
    if (state === "finished") break;
    await sleep(250);
  }
  const sendMs = performance.now() - t;
  await stopProcess(worker);
  const f = await figures(db, sendId);
  const s = await sink.stats();
  if (state !== "finished")
    throw new Error(`send not finished after ${Math.round(sendMs / 1000)} s: ${JSON.stringify(f)}`);

  const ours = N / (sendMs / 1000);
  const base = N / (baseMs / 1000);
  const result = {
    name: databaseUrl ? "newsletter-pg" : "newsletter",
    unit: "emails/s",
    value: Math.round(ours),
    baseline: Math.round(base),
    ratio: Math.round((ours / base) * 1000) / 1000,
    details: {
      members: N,
      baseline:
        "nodemailer, same pool, pre-built raw messages (composed once by MailComposer; To and Message-ID put in per recipient)",
      baselineMessageBytes: Buffer.byteLength(template, "latin1"),
      accepted: f.accepted,
      sinkReceived: s.total,
      sinkUnique: s.unique,
      sendSeconds: Math.round(sendMs / 100) / 10,
      baselineSeconds: Math.round(baseMs / 100) / 10,
      deliveryRowsAndJobsMs: Math.round(rowsMs),
      workerBootMs: Math.round(workerBootMs),
      seedMs: Math.round(seedMs),
      smtpPool: pool,
      database: databaseUrl ? "postgres" : "sqlite",
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      date: new Date().toISOString(),
      targets: { ratio: 0.8, sendSeconds: 600 },
    },
  };
  const file = writeResult(result.name, result);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written ${path.relative(root, file)}`);
} finally {
  await sink.stop();
  await handle.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
