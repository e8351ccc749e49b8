import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage } from "../../../test/support/browser.ts";
import { createSession, sessionCookie } from "../../platform/security/sessions.ts";
import { addComment } from "./comments.ts";
import { xssPayloads } from "./fixtures/xss-payloads.ts";
import type { PostRow } from "./service.ts";
import { createTier, makePost, memberWithSession } from "./testing.ts";

/*
 * Every payload in every text field (title, excerpt, body, tags, comments),
 * rendered in real Chromium under the real CSP, on every surface that shows
 * them (post page, archive, tag pages, admin list, editor with its live
 * preview, previews, moderation): 0 executions.
 */

let app: TestApp;
let browser: Browser;
const posts: PostRow[] = [];
let staffToken = "";
let memberToken = "";

before(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  const tier = await createTier(app.db);
  const member = await memberWithSession(app, { name: "<img src=x onerror=window.__xss=99>", tierId: tier });
  memberToken = member.client.cookies.get(sessionCookie.member)!;
  for (let i = 0; i < xssPayloads.length; i++) {
    const p = xssPayloads[i]!;
    const body = `${xssPayloads.join("\n\n")}\n\n<!-- paywall -->\n\n${p}\n\n${xssPayloads.slice(0, 5).join("\n\n")}`;
    const post = await makePost(
      app.db,
      {
        title: `T${i} ${p}`.slice(0, 200),
        slug: `xss-${i}`,
        excerpt: p.slice(0, 500),
        body,
        tags: `${p.replace(/,/g, " ").slice(0, 38)}, sûr`,
        audience: i % 3 === 0 ? "paid" : "public",
      },
      "publish",
      [tier],
    );
    posts.push(post);
    await app.db.deleteFrom("rate_limits").execute();
    await addComment(app.db, post.id, member.id, `${p}\nligne 2 ${xssPayloads[(i + 7) % xssPayloads.length]}`);
  }
  const owner = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  staffToken = (await createSession(app.db, "staff", owner.id)).token;
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

async function visit(
  paths: string[],
  cookie: { name: string; value: string } | null,
  act?: (page: Page, path: string) => Promise<void>,
): Promise<number> {
  const { page, close } = await newPage(browser, { locale: "fr" });
  if (cookie) await page.context().addCookies([{ ...cookie, url: app.url }]);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  let visited = 0;
  try {
    for (const path of paths) {
      await page.goto(`${app.url}${path}`);
      // Links only run when clicked: click the ones inside user content.
      for (const link of (await page.locator(".post-body a, .comment-body a, .archive-summary a").all()).slice(0, 40)) {
        await link.click({ noWaitAfter: true, timeout: 500, modifiers: [] }).catch(() => undefined);
        if (!page.url().startsWith(app.url)) await page.goto(`${app.url}${path}`);
      }
      if (act) await act(page, path);
      const flag = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0);
      assert.equal(flag, 0, `${path}: payload ${flag} ran`);
      assert.deepEqual(dialogs, [], `${path}: dialog opened`);
      assert.equal(await page.locator("script:not([src])").count(), 0, `${path}: inline script element present`);
      assert.equal(
        await page
          .locator("main iframe, main object, main embed, main [onerror], main [onload], main [style], main base")
          .count(),
        0,
        `${path}: dangerous element`,
      );
      visited += 1;
    }
  } finally {
    await close();
  }
  return visited;
}

test("public surfaces as a paying member and as a visitor: 0 executions", async () => {
  const postPaths = posts.map((p) => `/p/${p.slug}`);
  const tags = await app.db.selectFrom("tags").select("slug").execute();
  const lists = ["/blog", "/blog/page/2", "/blog/page/3", ...tags.slice(0, 12).map((t) => `/tag/${t.slug}`)];
  const n1 = await visit([...postPaths, ...lists], { name: sessionCookie.member, value: memberToken });
  const n2 = await visit([...postPaths.slice(0, 10), ...lists.slice(0, 4)], null);
  assert.ok(n1 + n2 > 50);
});

test("admin surfaces (list, editor with live preview, previews, moderation): 0 executions", async () => {
  const staff = { name: sessionCookie.staff, value: staffToken };
  const editors = posts.slice(0, 12).map((p) => `/admin/posts/${p.id}`);
  const previews = posts
    .slice(0, 12)
    .flatMap((p) => [`/admin/posts/${p.id}/preview?as=free`, `/admin/posts/${p.id}/preview?as=paid`]);
  const n = await visit(
    ["/admin/posts", "/admin/posts?q=script", "/admin/comments", ...editors, ...previews],
    staff,
    async (page, path) => {
      if (!/^\/admin\/posts\/[0-9a-f-]{36}$/.test(path)) return;
      // Open the live preview: it inserts the server-sanitised HTML into the page.
      await page.locator(".tool-preview").click();
      await page.waitForFunction(() => (document.querySelector(".md-preview")?.innerHTML ?? "").length > 50);
      const post = posts.find((p) => path.endsWith(p.id))!;
      assert.equal(
        await page.locator(".md-preview .md-paywall-line").count(),
        post.audience === "public" ? 0 : 1,
        "the preview shows where the paywall sits",
      );
    },
  );
  assert.equal(n, 3 + editors.length + previews.length);
});
