import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newId, nowIso } from "../../../../platform/ids.ts";
import type { Db } from "../../../../platform/db/index.ts";

/** Helpers shared by the kill test and the newsletter benchmark. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");

export interface Sink {
  child: ChildProcess;
  smtpUrl: string;
  stats(): Promise<{ total: number; unique: number }>;
  counts(): Promise<{ total: number; counts: Record<string, number> }>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSinkProcess(): Promise<Sink> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "src/modules/publishing/newsletter/testing/sink.ts")],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ports = await new Promise<[number, number]>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("SMTP sink did not start")), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /SINK (\d+) (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    });
    child.once("exit", (code) => reject(new Error(`SMTP sink exited (${code})`)));
  });
  const base = `http://127.0.0.1:${ports[1]}`;
  const get = async <T>(p: string) => (await (await fetch(base + p)).json()) as T;
  return {
    child,
    smtpUrl: `smtp://127.0.0.1:${ports[0]}`,
    stats: () => get("/stats"),
    counts: () => get("/counts"),
    reset: async () => void (await get("/reset")),
    stop: () => stopProcess(child),
  };
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** An Atelier job worker (`atelier start --role worker`) as a child process. */
export function startWorkerProcess(env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const args = [...nodeArgs, "--import", "tsx", path.join(root, "src/cli/main.ts"), "start", "--role", "worker"];
  return spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/**
 * N active, opted-in members (chunked multi-row inserts in one transaction),
 * every `payingEvery`-th holding a live tier entitlement. Returns the tier offer id.
 */
export async function seedMembers(
  db: Db,
  n: number,
  opts: { payingEvery?: number; prefix?: string } = {},
): Promise<{ tierId: string }> {
  const at = nowIso();
  const tierId = newId();
  const payingEvery = opts.payingEvery ?? 10;
  const prefix = opts.prefix ?? "m";
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("offers")
      .values(tierRow(tierId, `tier-${tierId.slice(-6)}`, "Cercle", 0, at))
      .execute();
    const chunk = 400;
    for (let i = 0; i < n; i += chunk) {
      const members = [];
      const ents = [];
      for (let j = i; j < Math.min(n, i + chunk); j++) {
        const id = newId();
        members.push(
          memberRow(id, `${prefix}${j}@example.test`, `Membre ${j}`, at, { locale: j % 3 === 0 ? "en" : "fr" }),
        );
        if (payingEvery > 0 && j % payingEvery === 0) {
          ents.push(grantRow(id, tierId, "seed", at));
        }
      }
      await trx.insertInto("members").values(members).execute();
      if (ents.length) await trx.insertInto("entitlements").values(ents).execute();
    }
  });
  return { tierId };
}

/** The rows the newsletter tests seed (a tier, a member, a manual grant), with what varies between them. */
export function tierRow(id: string, slug: string, name: string, position: number, at: string) {
  return {
    id,
    slug,
    kind: "tier" as const,
    name,
    summary: "",
    description_md: "",
    description_html: "",
    status: "published" as const,
    position,
    highlight: 0,
    provider_product_id: null,
    created_at: at,
    updated_at: at,
  };
}

export function memberRow(
  id: string,
  email: string,
  name: string,
  at: string,
  o: { locale?: string; status?: "active" | "pending"; optIn?: boolean } = {},
) {
  return {
    id,
    email,
    name,
    locale: o.locale ?? "fr",
    time_zone: "Europe/Paris",
    status: o.status ?? ("active" as const),
    email_opt_in: o.optIn === false ? 0 : 1,
    note: "",
    source: "import",
    confirmed_at: at,
    last_seen_at: null,
    created_at: at,
    updated_at: at,
  };
}

export function grantRow(memberId: string, tierId: string, sourceId: string, at: string) {
  return {
    id: newId(),
    member_id: memberId,
    resource_kind: "offer",
    resource_id: tierId,
    source_kind: "manual" as const,
    source_id: sourceId,
    starts_at: at,
    ends_at: null,
    revoked_at: null,
    revoke_reason: null,
    note: "",
    created_at: at,
    updated_at: at,
  };
}

export const PAID_MARKER = "PAID-CANARY-7f3a";

/** A published paid post with a paywall: teaser public, the rest for paying members. */
export async function seedPaidPost(db: Db, title = "Le four à bois"): Promise<string> {
  const id = newId();
  const at = nowIso();
  await db
    .insertInto("posts")
    .values({
      id,
      slug: `post-${id.slice(-8)}`,
      title,
      excerpt: "Ce que le feu m’a appris cet hiver.",
      body_md: "",
      teaser_html:
        '<p>Le début, ouvert à tous : <a href="https://example.org/four">le four</a>.</p><h2>Un intertitre</h2>',
      paid_html: `<p>La suite réservée ${PAID_MARKER}.</p><blockquote>Une citation.</blockquote>`,
      teaser_text: "Le début, ouvert à tous : le four.",
      paid_text: `La suite réservée ${PAID_MARKER}.`,
      cover_file_id: null,
      audience: "paid",
      audience_offers: "[]",
      status: "published",
      publish_at: null,
      published_at: at,
      reading_minutes: 3,
      author_id: null,
      comments_enabled: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}
