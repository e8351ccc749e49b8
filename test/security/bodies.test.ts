import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startTestApp, type TestApp } from "../support/app.ts";
import { connectRaw, postHead } from "../support/raw-http.ts";
import { parseUrlencoded } from "../../src/platform/http/body.ts";

/** Malformed multipart, invalid UTF-8 and oversize bodies: translated 4xx answers, nothing stored, honest connections. */
let app: TestApp;
before(async () => {
  app = await startTestApp();
});
beforeEach(async () => {
  await app.db.deleteFrom("rate_limits").execute();
});
after(() => app.stop());

async function post(path: string, body: BodyInit, type: string, lang = "fr") {
  const res = await fetch(app.url + path, {
    method: "POST",
    body,
    headers: { "content-type": type, "accept-language": lang },
    redirect: "manual",
  });
  return { status: res.status, text: await res.text() };
}

async function members(): Promise<string[]> {
  return (await app.db.selectFrom("members").select("email").execute()).map((m) => m.email);
}

test("POST /join with a body in another boundary than announced: a 400 with a translated message", async () => {
  const body = '--other\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.org\r\n--other--\r\n';
  const fr = await post("/join", body, "multipart/form-data; boundary=zz");
  assert.equal(fr.status, 400, fr.text.slice(0, 200));
  assert.match(fr.text, /data-error-code="bad_request"/);
  assert.match(fr.text, /mal formé/);
  const en = await post("/join", body, "multipart/form-data; boundary=zz", "en");
  assert.equal(en.status, 400);
  assert.match(en.text, /malformed/);
  for (const type of [
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=\u00e9",
  ]) {
    const res = await post("/join", body, type.replace("\u00e9", "%"));
    assert.equal(res.status, 400, `${type}: ${res.status}`);
  }
  const headerless = await post("/join", "--zz\r\nno header here\r\n\r\n", "multipart/form-data; boundary=zz");
  assert.equal(headerless.status, 400);
  assert.deepEqual(await members(), []);
});

test("invalid UTF-8 in a form body or a query string is refused with a 400, never stored as U+FFFD", async () => {
  const cases: [string, BodyInit, string][] = [
    ["/join", "email=a%40example.org&name=Zo%E9", "application/x-www-form-urlencoded"],
    [
      "/join",
      Buffer.from([...Buffer.from("email=b%40example.org&name=Zo"), 0xe9]),
      "application/x-www-form-urlencoded",
    ],
    ["/join", "email=c%40example.org&na%FFme=x", "application/x-www-form-urlencoded"],
    [
      "/join",
      Buffer.concat([
        Buffer.from('--zz\r\nContent-Disposition: form-data; name="email"\r\n\r\nd@example.org\r\n'),
        Buffer.from('--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\nZo'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from("\r\n--zz--\r\n"),
      ]),
      "multipart/form-data; boundary=zz",
    ],
  ];
  for (const [path, body, type] of cases) {
    const res = await post(path, body, type);
    assert.equal(res.status, 400, res.text.slice(0, 200));
    assert.match(res.text, /caractères illisibles/);
  }
  const query = await fetch(`${app.url}/join?email=%FF%FE`, { headers: { "accept-language": "en" } });
  assert.equal(query.status, 400);
  assert.match(await query.text(), /unreadable characters/);
  assert.deepEqual(await members(), [], "nothing stored");
  // Valid UTF-8, in both encodings, still goes through.
  const ok = await post("/join", "email=zoe%40example.org&name=Zo%C3%A9", "application/x-www-form-urlencoded");
  assert.equal(ok.status, 200);
  const form = new FormData();
  form.append("email", "chloe@example.org");
  form.append("name", "Chloé 😀");
  const multi = await fetch(`${app.url}/join`, { method: "POST", body: form });
  assert.equal(multi.status, 200);
  // Join creates the pending member from its job (same work whether the address is known or not).
  await app.drainJobs();
  const names = (await app.db.selectFrom("members").select("name").execute()).map((m) => m.name).sort();
  assert.deepEqual(names, ["Chloé 😀", "Zoé"]);
});

test("urlencoded parsing: '+' is a space, bad percent escapes stay literal, repeated names collect", () => {
  const f = parseUrlencoded(Buffer.from("a=1+2&b=%zz&b=%41&c&=x&d=%E2%82%AC"));
  assert.equal(f.a, "1 2");
  assert.deepEqual(f.b, ["%zz", "A"]);
  assert.equal(f.c, "");
  assert.equal(f.d, "€");
});

test("a 413 says Connection: close and the server closes; ordinary answers keep the connection", async () => {
  const conn = await connectRaw(app.url);
  conn.write(
    postHead(app.url, "/join", {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(2 * 1024 * 1024),
    }),
  );
  conn.write("email=");
  const res = await conn.answer();
  assert.equal(res.status, 413);
  assert.match(res.text, /trop volumineuses/);
  assert.equal(res.headers.connection, "close");
  assert.ok(res.closed, "the connection is closed, as announced");

  const agent = new http.Agent({ keepAlive: true });
  try {
    const header = await new Promise<string | undefined>((resolve, reject) => {
      const req = http.request(
        `${app.url}/join`,
        { method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded" } },
        (r) => {
          r.resume();
          r.on("end", () => resolve(r.headers.connection));
        },
      );
      req.on("error", reject);
      req.end("email=keep%40example.org");
    });
    assert.equal(header, "keep-alive");
  } finally {
    agent.destroy();
  }
});
