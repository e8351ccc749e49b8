import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { createMember } from "./service.ts";
import { linkRequestJob } from "./requests.ts";
import { newClient, nextMailTo, settleMail, uniqueEmail } from "./testing.ts";

/*
 * Issue 7 (identity): /login and /join must not tell a known address from an
 * unknown one, by their answer or by their timing. Structurally both paths do
 * the same work in the request (one job enqueued, no mail, no lookup-driven
 * writes); the timing check is loose so CPU load cannot make it flaky.
 */
let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

async function known(): Promise<string> {
  const email = uniqueEmail("known");
  await createMember(app.db, { email, locale: "fr", status: "active", emailOptIn: false, source: "test" }, "system");
  return email;
}

/** The jobs a request left behind for one address, by type. */
async function jobsFor(email: string): Promise<string[]> {
  const rows = await app.db.selectFrom("jobs").select(["type", "payload"]).execute();
  return rows.filter((r) => r.payload.includes(email)).map((r) => r.type);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

for (const path of ["/login", "/join"] as const) {
  test(`${path}: a known and an unknown address get the same answer and the same work (one job, no mail yet)`, async () => {
    // Hold the polling worker off (drainJobs still runs jobs): what the request itself did is what we look at.
    await app.running.worker!.stop();
    const emails = { known: await known(), unknown: uniqueEmail("unknown") };
    const answers: Record<string, { status: number; body: string }> = {};
    for (const [kind, email] of Object.entries(emails)) {
      const res = await newClient(app).post(path, { email });
      answers[kind] = { status: res.status, body: res.text.replaceAll(email, "EMAIL") };
      assert.deepEqual(
        await jobsFor(email),
        [linkRequestJob],
        `${kind}: one job, and the mail is not queued by the request`,
      );
    }
    assert.deepEqual(answers.known, answers.unknown);
    assert.equal(
      (await app.db.selectFrom("magic_links").select("id").where("email", "=", emails.known).execute()).length,
      0,
    );
    // The job then does the real work: the known address gets its mail.
    await app.drainJobs();
    await nextMailTo(app, emails.known, 0);
    await settleMail(app);
  });
}

test("/login takes about as long for known and unknown addresses (medians over 40 requests each)", async () => {
  const times = { known: [] as number[], unknown: [] as number[] };
  const knownEmails = await Promise.all(Array.from({ length: 40 }, () => known()));
  for (let i = 0; i < 40; i++) {
    for (const kind of ["known", "unknown"] as const) {
      const email = kind === "known" ? knownEmails[i]! : uniqueEmail("nobody");
      const client = newClient(app);
      const t0 = performance.now();
      const res = await client.post("/login", { email });
      times[kind].push(performance.now() - t0);
      assert.equal(res.status, 200);
    }
  }
  const ratio = median(times.known) / median(times.unknown);
  assert.ok(
    ratio < 2.5 && ratio > 1 / 2.5,
    `median known ${median(times.known).toFixed(1)} ms, unknown ${median(times.unknown).toFixed(1)} ms`,
  );
  await settleMail(app);
});
