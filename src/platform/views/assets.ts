import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

function load(name: string, type: string): Asset {
  const body = fs.readFileSync(path.join(dir, name));
  return { body, type, hash: crypto.createHash("sha256").update(body).digest("hex").slice(0, 10) };
}

const assets: Record<string, Asset> = {
  "app.css": load("app.css", "text/css; charset=utf-8"),
  "app.js": load("app.js", "text/javascript; charset=utf-8"),
};

/** A URL with the content hash, so assets can be cached forever. */
export function assetUrl(name: keyof typeof assets & string): string {
  return `/assets/${name}?v=${assets[name]!.hash}`;
}

/** Adds a module's own asset (for example an admin script) under /assets/NAME. */
export function registerAsset(name: string, absolutePath: string, type: string): void {
  const body = fs.readFileSync(absolutePath);
  assets[name] = { body, type, hash: crypto.createHash("sha256").update(body).digest("hex").slice(0, 10) };
}

export function assetRoutes(app: Hono<AppEnv>): void {
  app.get("/assets/:name", (c) => {
    const asset = assets[c.req.param("name")];
    if (!asset) return c.notFound();
    return c.body(new Uint8Array(asset.body), 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
  // The creator's accent colour, as a stylesheet (the CSP forbids inline styles).
  app.get("/theme.css", (c) => {
    const accent = /^#[0-9a-f]{6}$/i.test(c.var.site.accentColor) ? c.var.site.accentColor : "#b4532a";
    const css = `:root{--accent:${accent};--accent-ink:${readableInk(accent)}}`;
    return c.body(css, 200, {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
}

/** Black or white text on the accent, whichever contrasts more (WCAG relative luminance). */
export function readableInk(hex: string): string {
  const channel = (i: number) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#111111";
}

export function themeUrl(accent: string): string {
  return `/theme.css?v=${encodeURIComponent(accent.replace("#", ""))}`;
}
