import fs from "node:fs";
import type { Storage } from "../../platform/storage/index.ts";
import path from "node:path";
import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import {
  PAYWALL_MARKER,
  findPostBySlug,
  imageMarkdown,
  savePost,
  savePostImage,
  utcToLocal,
} from "../publishing/index.ts";
import { readGhostPosts, readSubstackPosts, type ImportedPost, type PostItem } from "./content.ts";

/**
 * Writes imported posts through the publishing module (savePost: validation,
 * sanitising, the paywall split). Idempotent by slug: a post whose slug is
 * already taken is left alone. Images are downloaded into our storage when
 * reachable; an unreachable one keeps its original address.
 */
export interface PostReport {
  ref: string;
  slug: string;
  status: "created" | "unchanged" | "failed";
  reason: string | null;
  images: { saved: number; kept: number };
}

const maxImageBytes = 10 * 1024 * 1024;

async function download(url: string): Promise<Uint8Array | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: "follow" });
    if (!res.ok) return null;
    const size = Number(res.headers.get("content-length") ?? 0);
    if (size > maxImageBytes) return null;
    const bytes = new Uint8Array(await res.arrayBuffer());
    return bytes.length > 0 && bytes.length <= maxImageBytes ? bytes : null;
  } catch {
    return null;
  }
}

/** Replaces each remote image of the Markdown by our stored copy, when it downloads and is an image. */
async function localiseImages(db: Db, storage: Storage, md: string, dryRun: boolean) {
  const images = { saved: 0, kept: 0 };
  const found = [...md.matchAll(/!\[([^\]]*)\]\((https?:\/\/[^)\s]+)(?:\s+"[^"]*")?\)/g)];
  let out = md;
  for (const m of found) {
    const bytes = dryRun ? null : await download(m[2]!);
    if (!bytes) {
      images.kept++;
      continue;
    }
    try {
      const file = await savePostImage(db, storage, bytes, "post-image");
      out = out.replace(m[0], imageMarkdown(file.id, m[1] ?? ""));
      images.saved++;
    } catch {
      images.kept++;
    }
  }
  return { markdown: out, images };
}

async function writePost(
  db: Db,
  storage: Storage,
  post: ImportedPost,
  timeZone: string,
  dryRun: boolean,
): Promise<PostReport> {
  const base = { ref: post.ref, slug: post.slug, images: { saved: 0, kept: 0 } };
  if (await findPostBySlug(db, post.slug)) return { ...base, status: "unchanged", reason: null };
  if (dryRun) return { ...base, status: "created", reason: null };
  const { markdown, images } = await localiseImages(db, storage, post.markdown, dryRun);
  try {
    await savePost(
      db,
      null,
      {
        title: post.title,
        slug: post.slug,
        excerpt: post.excerpt,
        body: markdown,
        tags: post.tags.join(", "),
        audience: post.audience,
        offers: [],
        publishAt: post.publishedAt ? utcToLocal(post.publishedAt, timeZone) : "",
        commentsEnabled: true,
      },
      post.published ? "publish" : "save",
      { timeZone, staffId: null, tierIds: [] },
    );
    return { ...base, images, status: "created", reason: null };
  } catch (err) {
    if (err instanceof AppError) {
      const field = Object.values(err.fields)[0];
      return { ...base, images, status: "failed", reason: field?.key ?? err.messageKey };
    }
    throw err;
  }
}

/** Reads the export (a Substack folder or a Ghost JSON file) and writes its posts; one report line each. */
export async function importPosts(
  db: Db,
  storage: Storage,
  source: "substack" | "ghost",
  file: string,
  opts: { dryRun?: boolean } = {},
): Promise<PostReport[]> {
  const { timeZone } = await getSiteSettings(db);
  const items: AsyncIterable<PostItem> | Iterable<PostItem> =
    source === "substack"
      ? readSubstackPosts(fs.statSync(file).isDirectory() ? file : path.dirname(file), PAYWALL_MARKER)
      : readGhostPosts(fs.readFileSync(file, "utf8"), PAYWALL_MARKER);
  const reports: PostReport[] = [];
  for await (const item of items) {
    if (!item.ok) {
      reports.push({ ref: item.ref, slug: "", status: "failed", reason: item.reason, images: { saved: 0, kept: 0 } });
      continue;
    }
    reports.push(await writePost(db, storage, item.post, timeZone, opts.dryRun ?? false));
  }
  return reports;
}
