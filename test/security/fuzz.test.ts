import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../support/app.ts";
import { connectRaw, healthy, leftovers, postHead } from "../support/raw-http.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { csrfTokenFor } from "../../src/platform/http/middleware.ts";
import { bodyLimitFor, bodyTimeouts, setBodyTimeouts } from "../../src/platform/http/body.ts";
import { hashToken } from "../../src/platform/security/tokens.ts";

/**
 * A small fuzz pass over every POST route the app registers, as an anonymous
 * visitor and as the logged-in owner (with a valid CSRF token): malformed
 * multipart, wrong content types, control characters, invalid UTF-8 and
 * oversize bodies. Whatever the route, the answer is never a 5xx, and the
 * server is healthy with no temporary file left at the end.
 */
let app: TestApp;
let staffId = "";
const saved = { ...bodyTimeouts };

before(async () => {
  app = await startTestApp();
  staffId = (
    await app.db.selectFrom("staff_users").select("id").where("email", "=", ownerEmail).executeTakeFirstOrThrow()
  ).id;
  // Oversize bodies on upload routes would wait for bytes that never come: keep that wait short.
  setBodyTimeouts({ idleMs: 500 });
});
after(async () => {
  setBodyTimeouts(saved);
  await app.stop();
});

const someId = "0190a0a0-0000-7000-8000-000000000000";

/** A concrete path for a route pattern: parameters become an id, or the first of their listed values. */
function concrete(pattern: string): string {
  return pattern
    .replace(/:[a-zA-Z]+\{([a-z]+)[^}]*\}/g, "$1")
    .replace(/:[a-zA-Z]+/g, someId)
    .replace(/\*/g, "x");
}

type Payload = { name: string; type?: string; body: string | Buffer; query?: string };

const controls = "/%0A/x%0D%0ASet-Cookie:%20a=b%00%09%7F";
const payloads: Payload[] = [
  {
    name: "multipart in another boundary",
    type: "multipart/form-data; boundary=zz",
    body: '--other\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.org\r\n--other--\r\n',
  },
  { name: "multipart without a boundary", type: "multipart/form-data", body: "--zz\r\n\r\n" },
  {
    name: "multipart header garbage",
    type: "multipart/form-data; boundary=zz",
    body: "--zz\r\n\u0000\u0001:::\r\n\r\n",
  },
  {
    name: "multipart cut short",
    type: "multipart/form-data; boundary=zz",
    body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
  },
  { name: "JSON", type: "application/json", body: '{"email":"a@example.org","next":"//evil.example"}' },
  { name: "plain text", type: "text/plain", body: "email=a@example.org" },
  { name: "no content type", body: "email=a@example.org" },
  { name: "a made-up content type", type: "application/x-www-form-urlencoded\u00e9", body: "a=b" },
  {
    name: "control characters in fields",
    type: "application/x-www-form-urlencoded",
    body: ["next", "back", "return", "email", "name", "title", "slug", "token", "code", "password", "body", "note"]
      .map((f) => `${f}=${controls}`)
      .join("&"),
  },
  {
    name: "invalid UTF-8 (urlencoded)",
    type: "application/x-www-form-urlencoded",
    body: Buffer.concat([Buffer.from("email=a%FF%40example.org&name=Zo%C3%28&title="), Buffer.from([0xff, 0xfe])]),
  },
  {
    name: "invalid UTF-8 (multipart)",
    type: "multipart/form-data; boundary=zz",
    body: Buffer.concat([
      Buffer.from('--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\n'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from("\r\n--zz--\r\n"),
    ]),
  },
  {
    name: "bad query string",
    type: "application/x-www-form-urlencoded",
    body: "a=b",
    query: `next=${controls}&offer=%FF&token=%C3%28`,
  },
];

interface Who {
  name: string;
  headers: () => Promise<Record<string, string>>;
}

const anonymous: Who = { name: "anonymous", headers: async () => ({}) };
const owner: Who = {
  name: "owner",
  // A fresh session for every route: a logout or a password change must not end the pass.
  headers: async () => {
    const s = await createSession(app.db, "staff", staffId);
    return {
      cookie: `atl_s=${s.token}`,
      "x-csrf-token": csrfTokenFor(app.running.services.secret, undefined, hashToken(s.token)),
    };
  },
};

async function send(path: string, auth: Record<string, string>, p: Payload): Promise<number> {
  const headers: Record<string, string> = { ...auth, "x-forwarded-for": "10.9.9.9" };
  if (p.type) headers["content-type"] = p.type;
  const url = `${app.url}${path}${p.query ? (path.includes("?") ? "&" : "?") + p.query : ""}`;
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: typeof p.body === "string" ? p.body : new Uint8Array(p.body),
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A body announced one byte over the route's limit: answered without waiting for it. */
async function oversize(path: string, auth: Record<string, string>): Promise<number> {
  const limit = bodyLimitFor(path.split("?")[0]!);
  const conn = await connectRaw(app.url);
  conn.write(
    postHead(app.url, path, {
      ...auth,
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(limit + 1),
    }),
  );
  conn.write(Buffer.alloc(64 * 1024, 0x61));
  const res = await conn.answer();
  conn.destroy();
  return res.status;
}

test("every POST route, anonymous and as the owner, answers bad bodies with a 4xx and the server stays healthy", async () => {
  const patterns = [...new Set(app.running.app!.routes.filter((r) => r.method === "POST").map((r) => r.path))];
  assert.ok(patterns.length >= 40, `only ${patterns.length} POST routes found`);
  const failures: string[] = [];
  let sent = 0;
  // The owner's requests must get past the session and CSRF checks, or the pass would prove little.
  let ownerReached = 0;
  // A few routes at a time: the pass waits on the server more than it works.
  const fuzzRoute = async (pattern: string) => {
    const path = concrete(pattern);
    for (const who of [anonymous, owner]) {
      const auth = await who.headers();
      const runs = [
        ...payloads.map((p) => async () => [p.name, await send(path, auth, p)] as const),
        async () => ["oversize", await oversize(path, auth)] as const,
      ];
      await Promise.all(
        runs.map(async (run) => {
          sent++;
          try {
            const [name, status] = await run();
            if (who === owner && status !== 403 && status !== 401) ownerReached++;
            if (status >= 500 || status === 0) failures.push(`${who.name} POST ${path} (${name}): ${status}`);
          } catch (err) {
            failures.push(`${who.name} POST ${path}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }),
      );
    }
  };
  for (let i = 0; i < patterns.length; i += 4) await Promise.all(patterns.slice(i, i + 4).map(fuzzRoute));
  assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
  assert.ok(ownerReached > sent / 4, `only ${ownerReached} of the owner's requests reached their route`);
  assert.ok(await healthy(app.url), "the server still answers");
  assert.deepEqual(leftovers(app.running.services.config.dataDir), []);
});
