import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../support/app.ts";
import { connectRaw, healthy, leftovers, multipartStart, postHead, waitFor } from "../support/raw-http.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { bodyLimitFor, bodyTimeouts, setBodyTimeouts } from "../../src/platform/http/body.ts";
import { createOffer } from "../../src/modules/offers/index.ts";

/**
 * Every streamed upload route survives a client that vanishes, a body shorter
 * or longer than announced and a sender that trickles bytes: a 4xx (408 for
 * the slow ones), the server still answering, no temporary file left behind.
 */
let app: TestApp;
let setupApp: TestApp;
let cookie = "";
let csrf = "";
let offerId = "";
const saved = { ...bodyTimeouts };

interface Route {
  app: () => TestApp;
  target: () => string;
  file: string;
  fields: () => Record<string, string>;
  auth: boolean;
}

const routes: Record<string, Route> = {
  "offer file": {
    app: () => app,
    target: () => `/admin/offer-upload?offer=${offerId}`,
    file: "file",
    fields: () => ({ _csrf: csrf }),
    auth: true,
  },
  "post cover": {
    app: () => app,
    target: () => "/admin/posts/save",
    file: "cover",
    fields: () => ({ _csrf: csrf, title: "Un billet" }),
    auth: true,
  },
  "post image": {
    app: () => app,
    target: () => "/admin/posts/images",
    file: "image",
    fields: () => ({ _csrf: csrf }),
    auth: true,
  },
  "settings logo": {
    app: () => app,
    target: () => "/admin/settings",
    file: "logo",
    fields: () => ({ _csrf: csrf, name: "Atelier" }),
    auth: true,
  },
  "setup logo (anonymous)": {
    app: () => setupApp,
    target: () => "/setup",
    file: "logo",
    fields: () => ({ siteName: "Atelier" }),
    auth: false,
  },
};

before(async () => {
  app = await startTestApp();
  setupApp = await startTestApp({ skipSetup: true });
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  const s = await createSession(app.db, "staff", staff.id);
  cookie = `atl_s=${s.token}`;
  const owner = app.client();
  owner.cookies.set("atl_s", s.token);
  offerId = (
    await createOffer(app.db, { slug: "pack", kind: "product", name: "Le pack", status: "published" }, [
      { kind: "one_off", amount: 900, currency: "EUR" },
    ])
  ).id;
  await owner.get(`/admin/offers/${offerId}`);
  csrf = owner.csrf;
  assert.ok(csrf);
});

after(async () => {
  setBodyTimeouts(saved);
  await app.stop();
  await setupApp.stop();
});

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);

function headers(route: Route, length: number): Record<string, string> {
  return {
    "Content-Type": "multipart/form-data; boundary=zz",
    "Content-Length": String(length),
    ...(route.auth ? { Cookie: cookie } : {}),
  };
}

/** How much a route may take (capped at 5 MB: the test sends a fifth of it). */
function announced(route: Route): number {
  return Math.min(5 * 1024 * 1024, bodyLimitFor(new URL(route.target(), "http://x").pathname));
}

async function clean(a: TestApp): Promise<void> {
  await waitFor("the server answers /healthz", () => healthy(a.url));
  await waitFor("no temporary file is left", () => leftovers(a.running.services.config.dataDir).length === 0);
}

for (const [name, route] of Object.entries(routes)) {
  test(`${name}: a client that disappears mid-upload leaves the server up and no temporary file`, async () => {
    const a = route.app();
    for (let i = 0; i < 3; i++) {
      const conn = await connectRaw(a.url);
      conn.write(postHead(a.url, route.target(), headers(route, announced(route))));
      conn.write(multipartStart("zz", route.fields(), route.file));
      conn.write(png);
      conn.write(Buffer.alloc(Math.floor(announced(route) / 5), 1));
      // The upload has reached the disk before the client vanishes.
      await waitFor("the upload is being written", () => leftovers(a.running.services.config.dataDir).length > 0);
      conn.destroy();
      await clean(a);
    }
  });

  test(`${name}: a body shorter than announced ends in a 408 once the sender goes quiet`, async () => {
    const a = route.app();
    setBodyTimeouts({ idleMs: 300 });
    try {
      const conn = await connectRaw(a.url);
      conn.write(postHead(a.url, route.target(), headers(route, announced(route))));
      conn.write(multipartStart("zz", route.fields(), route.file));
      conn.write(png);
      const res = await conn.answer();
      assert.equal(res.status, 408, res.text.slice(0, 300));
      assert.match(res.text, /trop de temps/);
      assert.equal(res.headers.connection, "close");
      assert.ok(res.closed, "the server closes the connection");
      await clean(a);
    } finally {
      setBodyTimeouts(saved);
    }
  });

  test(`${name}: a form cut short, or a body longer than announced, is a 400 and the server stays up`, async () => {
    const a = route.app();
    const full = Buffer.concat([
      Buffer.from(multipartStart("zz", route.fields(), route.file)),
      png,
      Buffer.from("\r\n--zz--\r\n"),
    ]);
    // Exactly as long as announced, but the form stops before its closing boundary.
    const cut = full.subarray(0, full.length - 40);
    const first = await connectRaw(a.url);
    first.write(postHead(a.url, route.target(), headers(route, cut.length)));
    first.write(cut);
    const truncated = await first.answer();
    first.destroy();
    assert.equal(truncated.status, 400, truncated.text.slice(0, 300));
    assert.match(truncated.text, /mal formé/);
    // More bytes than announced: the server reads what was announced (a cut form) and refuses the rest.
    const second = await connectRaw(a.url);
    second.write(postHead(a.url, route.target(), headers(route, cut.length)));
    second.write(full);
    second.write(Buffer.alloc(64 * 1024, 0x41));
    const longer = await second.answer();
    second.destroy();
    assert.equal(longer.status, 400, longer.text.slice(0, 300));
    await clean(a);
  });

  test(`${name}: a sender that trickles bytes is cut off by the time limit with a 408`, async () => {
    const a = route.app();
    setBodyTimeouts({ idleMs: 400, totalMs: 1000 });
    const conn = await connectRaw(a.url);
    const trickle = setInterval(() => conn.write(Buffer.from([1])), 50);
    try {
      conn.write(postHead(a.url, route.target(), headers(route, announced(route))));
      conn.write(multipartStart("zz", route.fields(), route.file));
      conn.write(png);
      const res = await conn.answer();
      assert.equal(res.status, 408, res.text.slice(0, 300));
      assert.equal(res.headers.connection, "close");
      await clean(a);
    } finally {
      clearInterval(trickle);
      conn.destroy();
      setBodyTimeouts(saved);
    }
  });
}
