import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { ownerClient } from "../members/testing.ts";

/** Time zones are chosen by city, in the reader's language, never as "Africa/Abidjan". */
let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.stop());

test("the settings page lists zones by city in plain words, in French and English", async () => {
  const fr = await (await ownerClient(app, "fr")).get("/admin/settings");
  const select = fr.text.slice(
    fr.text.indexOf('id="f-timeZone"'),
    fr.text.indexOf("</select>", fr.text.indexOf('id="f-timeZone"')),
  );
  assert.match(select, /<option value="Africa\/Abidjan"[^>]*>Abidjan — heure moyenne de Greenwich<\/option>/);
  assert.match(select, />Londres — heure : Royaume-Uni</);
  assert.match(select, /<optgroup label="Afrique">/);
  assert.match(select, /value="Europe\/Paris" selected/);
  assert.doesNotMatch(select, />[A-Z][a-z]+\/[A-Za-z_]+</, "no raw zone id is shown");
  const en = await (await ownerClient(app, "en")).get("/admin/settings");
  assert.match(en.text, />London — United Kingdom Time</);
  assert.match(en.text, /<optgroup label="Indian Ocean">/);
});
