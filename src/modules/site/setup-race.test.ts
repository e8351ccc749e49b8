import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { getSetting, type SiteSettings } from "../../platform/settings.ts";
import { multipart, setupFields } from "./testing.ts";

let app: TestApp;
before(async () => {
  app = await startTestApp({ skipSetup: true });
});
after(() => app.stop());

test("concurrent setups: exactly one wins, the others get 409, one owner exists", async () => {
  const attempts = ["a", "b", "c", "d"].map((who) =>
    fetch(`${app.url}/setup`, {
      method: "POST",
      redirect: "manual",
      body: multipart(setupFields({ email: `${who}@atelier.test`, siteName: `Site ${who}` })),
    }),
  );
  const statuses = (await Promise.all(attempts)).map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, 409, 409, 409]);
  const owners = await app.db.selectFrom("staff_users").select(["email", "role"]).execute();
  assert.equal(owners.length, 1);
  assert.equal(owners[0]!.role, "owner");
  const sessions = await app.db.selectFrom("sessions").select("subject_id").execute();
  assert.equal(sessions.length, 1, "only the winner got a session");
  const site = (await getSetting<SiteSettings>(app.db, "site"))!;
  // The settings belong to the winner, not a mix of attempts.
  assert.equal(site.contactEmail, owners[0]!.email);
  assert.equal(site.name, `Site ${owners[0]!.email[0]}`);
});
