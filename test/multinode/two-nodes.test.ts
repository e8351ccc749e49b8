/**
 * TWO NODES (issue 13), PostgreSQL only: two real Atelier processes on random
 * ports share one fresh PostgreSQL database and one S3 bucket (s3rver), each
 * with its own DATA_DIR (nothing shared on disk), as an operator runs them
 * behind a proxy. A logo uploaded through A is served by B; a setting changed
 * on A shows on B within the settings + page cache bounds; an access revoked
 * by a refund on A closes on B within ACCESS_CACHE_MS (the promise is 60 s); a newsletter
 * sent by both nodes' workers reaches every member once while one node is
 * killed with SIGKILL half-way, the other finishing the send.
 */
import { loadConfig } from "../../src/platform/config.ts";
import { systemClock } from "../../src/platform/time.ts";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { after, before, test } from "node:test";
import { completeSetup, ownerEmail } from "../support/app.ts";
import { TestClient } from "../support/client.ts";
import { freshDatabase, testPostgresUrl, type FreshDatabase } from "../support/db.ts";
import { waitFor } from "../support/raw-http.ts";
import { startTestS3, type TestS3 } from "../support/s3.ts";
import { migrateToLatest, openDatabase, type DbHandle } from "../../src/platform/db/index.ts";
import { PAGE_CACHE_MS } from "../../src/platform/http/page-cache.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { getSetting, SETTINGS_CACHE_MS, type SiteSettings } from "../../src/platform/settings.ts";
import { ACCESS_CACHE_MS } from "../../src/modules/access/index.ts";
import { createOffer } from "../../src/modules/offers/index.ts";
import {
  createSend,
  figures,
  getSend,
  PAID_MARKER,
  root,
  seedMembers,
  seedPaidPost,
  startSinkProcess,
  stopProcess,
  type Sink,
} from "../../src/modules/publishing/testing.ts";
import { multipart, png1x1 } from "../../src/modules/site/testing.ts";

const N = Number(process.env.TWO_NODES_N ?? 2000);
/** Slack for polling and a loaded CI machine on top of each cache's own bound. */
const SLACK_MS = 3000;

interface Node {
  name: string;
  child: ChildProcess;
  url: string;
}

if (!testPostgresUrl()) {
  test("two nodes on one database: PostgreSQL only", () => {
    console.log("two-node test not run: it needs PostgreSQL (set TEST_DATABASE_URL=postgres://...)");
  });
} else {
  let database: FreshDatabase;
  let handle: DbHandle;
  let s3: TestS3;
  let sink: Sink;
  const nodes: Node[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-two-nodes-"));

  const startNode = async (name: string): Promise<Node> => {
    const env: Record<string, string> = {
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: path.join(tmp, name),
      DATABASE_URL: database.databaseUrl!,
      SMTP_URL: sink.smtpUrl,
      MAIL_FROM: "Atelier <hello@atelier.test>",
      LOG_LEVEL: "warn",
      NEWSLETTER_LEASE_MS: "3000",
      NEWSLETTER_WATCH_MS: "300",
      NEWSLETTER_SMTP_POOL: "1",
      ...s3.env("site"),
    };
    const full = { ...process.env, ...env };
    delete full.TEST_DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "src/cli/main.ts"), "start"], {
      cwd: root,
      env: full,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${name} did not start`)), 60_000);
      readline.createInterface({ input: child.stdout! }).on("line", (line) => {
        const m = /Atelier is running at (http\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once("exit", (code) => reject(new Error(`node ${name} exited (${code})`)));
    });
    const node = { name, child, url };
    nodes.push(node);
    return node;
  };

  let a: Node;
  let b: Node;
  let ownerId: string;

  before(async () => {
    database = await freshDatabase();
    handle = openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    await migrateToLatest(handle.db);
    await completeSetup(handle.db, { name: "Terre & Feu" });
    ownerId = (
      await handle.db.selectFrom("staff_users").select("id").where("email", "=", ownerEmail).executeTakeFirstOrThrow()
    ).id;
    [s3, sink] = await Promise.all([startTestS3(), startSinkProcess()]);
    [a, b] = await Promise.all([startNode("a"), startNode("b")]);
  });

  after(async () => {
    for (const n of nodes) await stopProcess(n.child, "SIGKILL");
    await sink?.stop();
    await s3?.stop();
    await handle?.close();
    await database?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const staffOn = async (node: Node): Promise<TestClient> => {
    const { token } = await createSession(handle.db, "staff", ownerId);
    const client = new TestClient(node.url);
    client.cookies.set("atl_s", token);
    return client;
  };

  const settingsFields = (siteName: string) => ({
    siteName,
    tagline: "Céramique, cuissons et transmission",
    story: "Je tourne depuis **vingt ans**.",
    about: "",
    locale: "fr",
    currency: "EUR",
    timeZone: "Europe/Paris",
    accentColor: "#3a7d44",
    contactEmail: "bonjour@terre-et-feu.test",
    mailFromName: "Camille",
    action: "save",
  });

  test("a logo uploaded through A is served by B, from the shared bucket", async () => {
    const owner = await staffOn(a);
    await owner.get("/admin/settings");
    const res = await owner.request("POST", "/admin/settings", {
      body: multipart(
        { _csrf: owner.csrf, ...settingsFields("Terre & Feu") },
        { logo: { bytes: png1x1, name: "logo.png", type: "image/png" } },
      ),
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const logoId = (await getSetting<SiteSettings>(handle.db, "site"))!.logoFileId!;
    assert.ok(logoId);
    for (const node of [a, b]) {
      const got = await fetch(`${node.url}/media/${logoId}`);
      assert.equal(got.status, 200, `node ${node.name}`);
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), png1x1);
    }
    assert.deepEqual(
      fs.readdirSync(path.join(tmp, "b", "files")).filter((f) => f !== ".incoming"),
      [],
    );
  });

  test("a setting changed on A shows on B within the settings and page cache bounds", async () => {
    const home = async () => (await fetch(`${b.url}/`)).text();
    assert.match(await home(), /Terre &amp; Feu/);
    const owner = await staffOn(a);
    await owner.get("/admin/settings");
    const res = await owner.request("POST", "/admin/settings", {
      body: multipart({ _csrf: owner.csrf, ...settingsFields("Le Four de Camille") }),
    });
    assert.equal(res.status, 303);
    const t0 = Date.now();
    const bound = SETTINGS_CACHE_MS + PAGE_CACHE_MS;
    await waitFor("B's home shows the new name", async () => /Le Four de Camille/.test(await home()), bound + SLACK_MS);
    console.log(`settings change seen on B after ${Date.now() - t0} ms (bound ${bound} ms)`);
  });

  test("a refund processed on A closes the access on B within ACCESS_CACHE_MS (promise: 60 s)", async () => {
    assert.ok(ACCESS_CACHE_MS <= 60_000);
    const db = handle.db;
    await seedMembers(db, N, { payingEvery: 7, prefix: "m" });
    const postId = await seedPaidPost(db);
    const post = await db.selectFrom("posts").select("slug").where("id", "=", postId).executeTakeFirstOrThrow();
    const offer = await createOffer(db, { slug: "cercle", kind: "tier", name: "Cercle", status: "published" }, [
      { kind: "one_off", amount: 4000, currency: "EUR" },
    ]);
    const price = await db.selectFrom("prices").select("id").where("offer_id", "=", offer.id).executeTakeFirstOrThrow();
    // Bought on A through the payment provider (the dev one: its objects live in the shared database).
    const buyer = new TestClient(a.url);
    await buyer.get("/offers/cercle");
    const started = await buyer.post("/checkout", { offer: offer.id, price: price.id, email: "lea@example.test" });
    assert.equal(started.status, 303, started.text.slice(0, 300));
    const checkout = new URL(started.location!, a.url).pathname;
    await buyer.get(checkout);
    await buyer.post(checkout, { action: "pay" });
    const order = await db
      .selectFrom("orders")
      .select(["id", "status", "member_id"])
      .where("email", "=", "lea@example.test")
      .executeTakeFirstOrThrow();
    assert.equal(order.status, "paid");

    const { token } = await createSession(db, "member", order.member_id!);
    const reader = new TestClient(b.url);
    reader.cookies.set("atl_m", token);
    const page = async () => (await reader.get(`/p/${post.slug}`)).text;
    assert.match(await page(), new RegExp(PAID_MARKER), "the buyer reads the paid part on B");

    const owner = await staffOn(a);
    await owner.get("/admin/sales");
    const refunded = await owner.post(`/admin/orders/${order.id}/refund`);
    assert.equal(refunded.status, 303, refunded.text.slice(0, 300));
    const t0 = Date.now();
    await waitFor(
      "B closes the paid part",
      async () => !(await page()).includes(PAID_MARKER),
      ACCESS_CACHE_MS + SLACK_MS,
    );
    console.log(`refund on A seen on B after ${Date.now() - t0} ms (bound ${ACCESS_CACHE_MS} ms)`);
    const done = await db.selectFrom("orders").select("status").where("id", "=", order.id).executeTakeFirstOrThrow();
    assert.equal(done.status, "refunded");
  });

  test(
    `a newsletter to ${N} members, a worker on each node, A killed with SIGKILL half-way: B finishes, everyone once`,
    { timeout: Math.max(170_000, N * 40) },
    async () => {
      const db = handle.db;
      const postId = (await db.selectFrom("posts").select("id").executeTakeFirstOrThrow()).id;
      const started = Date.now();
      const sendId = await createSend(
        { db, config: loadConfig({}), clock: systemClock },
        {
          postId,
          subject: "Lettre à deux nœuds",
          segment: { kind: "all" },
          scheduledAt: null,
          createdBy: null,
        },
      );
      const expected = (
        await db.selectFrom("newsletter_deliveries").select("email").where("send_id", "=", sendId).execute()
      ).map((r) => r.email);
      assert.ok(expected.length >= N, `${expected.length} recipients`);

      await waitFor("a third of the send accepted", async () => (await sink.stats()).unique >= N / 3, N * 30);
      const atKill = await sink.stats();
      await stopProcess(a.child, "SIGKILL");
      const killedAt = Date.now();
      await waitFor(
        "the send finished on B",
        async () => (await getSend(db, sendId))?.state === "finished",
        N * 60,
      ).catch(async (err: Error) => {
        const s = await sink.stats();
        const rate = (s.unique - atKill.unique) / ((Date.now() - killedAt) / 1000);
        throw new Error(`${err.message} (${s.unique}/${N} accepted, B alone at ${rate.toFixed(0)}/s)`);
      });
      const { counts } = await sink.counts();
      let missed = 0;
      let duplicates = 0;
      for (const email of expected) {
        const n = counts[email] ?? 0;
        if (n === 0) missed++;
        else duplicates += n - 1;
      }
      // The buyer of the refund test got her receipts and the owner was told of the sale and the refund
      // (not the newsletter): anyone else is a stranger.
      const notNewsletter = new Set(["lea@example.test", ownerEmail]);
      const strangers = Object.keys(counts).filter((e) => !expected.includes(e) && !notNewsletter.has(e));
      const f = await figures(db, sendId);
      console.log(
        `two nodes, N=${N}: A killed at ${atKill.unique} accepted; missed=${missed} duplicates=${duplicates}; accepted=${f.accepted}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      assert.equal(missed, 0, "recipients missed");
      // One pooled connection on the killed node: at most one message accepted and not yet recorded.
      assert.ok(duplicates <= 1, `${duplicates} duplicates`);
      assert.deepEqual(strangers, []);
      assert.equal(f.accepted, expected.length);
      // B still answers.
      assert.equal((await fetch(`${b.url}/healthz`)).status, 200);
    },
  );
}
