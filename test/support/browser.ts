import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium, never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath))
    throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium (done by .ci/run)`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export interface PageErrors {
  /** Console errors and CSP violations seen on the page. */
  messages: string[];
}

/** A page in a fresh context with the given language, collecting console errors (CSP violations show there). */
export async function newPage(
  browser: Browser,
  opts: { locale: "fr" | "en"; width?: number; height?: number },
): Promise<{ page: Page; errors: PageErrors; close(): Promise<void> }> {
  const context = await browser.newContext({
    locale: opts.locale === "fr" ? "fr-FR" : "en-GB",
    extraHTTPHeaders: { "accept-language": opts.locale },
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
  });
  const page = await context.newPage();
  const errors: PageErrors = { messages: [] };
  page.on("console", (m) => {
    // Failed sub-resources are reported by the response listener with their URL.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.messages.push(m.text());
  });
  page.on("pageerror", (e) => errors.messages.push(e.message));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.messages.push(`${r.status()} ${r.url()}`);
  });
  return { page, errors, close: () => context.close() };
}

/** Saves a screenshot under test-results/screenshots (kept out of git) for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve("test-results/screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
