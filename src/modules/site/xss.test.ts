import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage } from "../../../test/support/browser.ts";
import { renderMarkdown } from "../../platform/markdown.ts";

/** A few classic payloads, in Markdown and raw HTML, each trying to run code when the page is read. */
const payloads = [
  "<script>window.__xss=1</script>",
  '<img src=x onerror="window.__xss=2">',
  "[clic](javascript:window.__xss=3)",
  "<svg onload=window.__xss=4>",
  '<a href="javascript:window.__xss=5">a</a>',
  "![x](javascript:window.__xss=6)",
  '<iframe src="javascript:window.__xss=7"></iframe>',
  "[x](JaVaScRiPt:window.__xss=8)",
  "<details open ontoggle=window.__xss=9>",
  '"><script>window.__xss=10</script>',
];

let app: TestApp;
let browser: Browser;
before(async () => {
  const story = payloads.join("\n\n");
  app = await startTestApp({
    site: {
      name: "<script>window.__xss=11</script>",
      tagline: '"><img src=x onerror=window.__xss=12>',
      storyMarkdown: story,
      storyHtml: renderMarkdown(story),
      aboutMarkdown: story,
      aboutHtml: renderMarkdown(story),
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
  await app.stop();
});

test("XSS payloads in the name, tagline and story run nowhere on /, /about (real Chromium, real CSP)", async () => {
  for (const path of ["/", "/about"]) {
    const { page, close } = await newPage(browser, { locale: "fr" });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(`${app.url}${path}`);
      // Links would only run when clicked: click every link in the story too.
      for (const link of await page.locator(".story a").all())
        await link.click({ noWaitAfter: true, trial: false }).catch(() => undefined);
      const flag = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0);
      assert.equal(flag, 0, `${path}: payload ${flag} ran`);
      assert.deepEqual(dialogs, []);
      assert.equal(await page.locator("script:not([src])").count(), 0);
      assert.equal(await page.locator(".story iframe, .story svg, .story [onerror], .story [onload]").count(), 0);
      assert.match(
        (await page.locator("h1").first().textContent()) ?? "",
        path === "/" ? /<script>window.__xss=11<\/script>/ : /propos/,
      );
    } finally {
      await close();
    }
  }
});
