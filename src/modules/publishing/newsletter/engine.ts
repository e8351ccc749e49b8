import { sql } from "kysely";
import type Mail from "nodemailer/lib/mailer";
import { membersWithAccess, type Resource } from "../../access/index.ts";
import { memberContacts, memberSql } from "../../members/index.ts";
import { ownerEmail } from "../../staff/index.ts";
import { toNumber, transaction, type Db } from "../../../platform/db/index.ts";
import { enqueue } from "../../../platform/jobs/index.ts";
import { isoIn, newId, nowIso } from "../../../platform/ids.ts";
import { isLocale, type Locale } from "../../../platform/i18n/index.ts";
import { errorFields, log } from "../../../platform/log.ts";
import { getSetting, getSiteSettings, type SiteSettings } from "../../../platform/settings.ts";
import { getPostForSending, type PostForSending } from "../service.ts";
import { compileTemplate, fillTemplate, toHeaderLine, type MessageTemplate, type TemplateTokens } from "./prebuilt.ts";
import { renderVariant, personalise, type Variant } from "./render.ts";
import {
  fromAddress,
  publicHost,
  runtime,
  settings,
  smtpPool,
  smtpSendSlot,
  workerId,
  type Runtime,
} from "./runtime.ts";
import { segmentWhere, parseSegmentJson, type Segment } from "./segments.ts";
import { trackingToken, unsubscribeToken } from "./tokens.ts";

/**
 * Crash-safe bulk sending.
 *
 * 1. Starting a send writes one delivery row per recipient (INSERT ... SELECT
 *    from the segment, in the same transaction as the state change and the
 *    batch jobs), before anything is sent.
 * 2. A batch job claims the rows of its batch (queued -> sending, with a
 *    lease owned by this process), re-checks consent and suppressions, renders
 *    per recipient with the paywall decided by the access policy (membersWithAccess), and sends through
 *    the SMTP pool. Each row is marked `accepted` as soon as the server said
 *    250 (group commit: one UPDATE for whatever was accepted meanwhile), so a
 *    kill -9 can only repeat the few messages in flight.
 * 3. Leases are renewed while a process works; a dead process's rows become
 *    claimable once their lease runs out. A watchdog job per running send
 *    re-enqueues batches that have claimable rows (stale leases, or queued
 *    rows nobody is working on), so a send always resumes.
 * 4. "finished" is written by one conditional UPDATE that only succeeds when
 *    no row of the send is queued or sending: never early.
 */

export const BATCH_JOB = "newsletter.batch";
export const START_JOB = "newsletter.start";
export const WATCH_JOB = "newsletter.watch";
export const TICK_JOB = "newsletter.tick";
const MAX_ROW_ATTEMPTS = 5;
export const TRACKING_SETTING = "newsletter.tracking";

export type SendRow = Awaited<ReturnType<typeof getSend>> & object;

export async function getSend(db: Db, id: string) {
  return db.selectFrom("newsletter_sends").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function trackingEnabled(db: Db): Promise<boolean> {
  return (await getSetting<boolean>(db, TRACKING_SETTING)) === true;
}

export interface CreateSendInput {
  postId: string;
  subject: string;
  segment: Segment;
  /** null = now. */
  scheduledAt: Date | null;
  createdBy: string | null;
}

/** Creates a send; "now" also starts it (rows + batch jobs) in the same transaction. */
export async function createSend(db: Db, input: CreateSendInput): Promise<string> {
  const id = newId();
  const at = nowIso();
  await transaction(db, async (trx) => {
    await trx
      .insertInto("newsletter_sends")
      .values({
        id,
        post_id: input.postId,
        subject: input.subject,
        segment: JSON.stringify(input.segment),
        state: "scheduled",
        scheduled_at: (input.scheduledAt ?? new Date()).toISOString(),
        started_at: null,
        finished_at: null,
        recipients: 0,
        created_by: input.createdBy,
        heartbeat_at: null,
        resume_count: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    if (input.scheduledAt)
      await enqueue(
        trx,
        START_JOB,
        { sendId: id },
        { runAt: input.scheduledAt, dedupeKey: `nl:start:${id}`, maxAttempts: 10 },
      );
    else await startSendIn(trx, id);
  });
  return id;
}

export async function cancelScheduled(db: Db, id: string): Promise<boolean> {
  const r = await db
    .updateTable("newsletter_sends")
    .set({ state: "cancelled", updated_at: nowIso() })
    .where("id", "=", id)
    .where("state", "=", "scheduled")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** scheduled -> sending: delivery rows, batch jobs and the watchdog, all or nothing. */
export async function startSend(db: Db, id: string): Promise<void> {
  await transaction(db, (trx) => startSendIn(trx, id));
}

async function startSendIn(trx: Db, id: string): Promise<void> {
  const at = nowIso();
  const moved = await trx
    .updateTable("newsletter_sends")
    .set({ state: "sending", started_at: at, heartbeat_at: at, updated_at: at })
    .where("id", "=", id)
    .where("state", "=", "scheduled")
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0) return;
  const send = (await getSend(trx, id))!;
  const segment = parseSegmentJson(send.segment);
  const size = settings.batchSize;
  // One statement, numbered rows: 100,000 recipients take well under a second. The batch size is a
  // literal: a bound JS number is a REAL on SQLite, which would make the division fractional.
  await sql`INSERT INTO newsletter_deliveries (send_id, member_id, email, batch_no, state, attempts, updated_at)
    SELECT ${id}, m.id, m.email, CAST((ROW_NUMBER() OVER (ORDER BY m.id) - 1) / ${sql.lit(size)} AS INTEGER), 'queued', 0, ${at}
    FROM ${memberSql.from("m")} WHERE ${segmentWhere(trx, segment, at)}`.execute(trx);
  const n = toNumber(
    (
      await trx
        .selectFrom("newsletter_deliveries")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("send_id", "=", id)
        .executeTakeFirst()
    )?.n,
  );
  await trx.updateTable("newsletter_sends").set({ recipients: n }).where("id", "=", id).execute();
  const batches = Math.ceil(n / size);
  for (let b = 0; b < batches; b++)
    await enqueue(trx, BATCH_JOB, { sendId: id, batch: b }, { dedupeKey: `nl:b:${id}:${b}`, maxAttempts: 10 });
  await enqueueWatch(trx, id);
  if (n === 0) await tryFinish(trx, id);
}

async function enqueueWatch(db: Db, id: string): Promise<void> {
  const slot = Math.floor(Date.now() / settings.watchMs) + 1;
  // Time-slotted key: however many watch chains a crash leaves, they merge into one per slot.
  await enqueue(
    db,
    WATCH_JOB,
    { sendId: id },
    { runAt: new Date(slot * settings.watchMs), dedupeKey: `nl:w:${id}:${slot}`, maxAttempts: 3 },
  );
}

/** The only way a send becomes finished: when not one row is left queued or sending. */
export async function tryFinish(db: Db, id: string): Promise<boolean> {
  const at = nowIso();
  const r = await sql`UPDATE newsletter_sends SET state = 'finished', finished_at = ${at}, updated_at = ${at}
    WHERE id = ${id} AND state = 'sending'
    AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.send_id = ${id} AND d.state IN ('queued', 'sending'))`.execute(
    db,
  );
  const done = Number(r.numAffectedRows ?? 0) > 0;
  if (done) log.info("newsletter send finished", { sendId: id });
  return done;
}

/* ---------------- figures ---------------- */

export interface Figures {
  recipients: number;
  queued: number;
  sending: number;
  accepted: number;
  failed: number;
  bounced: number;
  skipped: number;
  unsubscribed: number;
  opened: number;
  clicked: number;
  settled: number;
}

export async function figures(db: Db, sendId: string): Promise<Figures> {
  const [byState, extra] = await Promise.all([
    db
      .selectFrom("newsletter_deliveries")
      .select(["state", (eb) => eb.fn.countAll().as("n")])
      .where("send_id", "=", sendId)
      .groupBy("state")
      .execute(),
    db
      .selectFrom("newsletter_deliveries")
      .select([
        (eb) => eb.fn.count("unsubscribed_at").as("unsubscribed"),
        (eb) => eb.fn.count("opened_at").as("opened"),
        (eb) => eb.fn.count("clicked_at").as("clicked"),
      ])
      .where("send_id", "=", sendId)
      .where((eb) =>
        eb.or([
          eb("unsubscribed_at", "is not", null),
          eb("opened_at", "is not", null),
          eb("clicked_at", "is not", null),
        ]),
      )
      .executeTakeFirst(),
  ]);
  const f: Figures = {
    recipients: 0,
    queued: 0,
    sending: 0,
    accepted: 0,
    failed: 0,
    bounced: 0,
    skipped: 0,
    unsubscribed: 0,
    opened: 0,
    clicked: 0,
    settled: 0,
  };
  for (const r of byState) {
    const n = toNumber(r.n);
    f.recipients += n;
    if (r.state in f) f[r.state as "queued"] = n;
  }
  f.unsubscribed = toNumber(extra?.unsubscribed);
  f.opened = toNumber(extra?.opened);
  f.clicked = toNumber(extra?.clicked);
  f.settled = f.recipients - f.queued - f.sending;
  return f;
}

/* ---------------- per-send context (cached per process) ---------------- */

interface SendContext {
  send: NonNullable<Awaited<ReturnType<typeof getSend>>>;
  post: PostForSending | undefined;
  site: SiteSettings;
  rt: Runtime;
  resource: Resource | undefined;
  replyTo: string | undefined;
  tracking: boolean;
  variants: Map<string, Variant>;
  templates: Map<string, Promise<MessageTemplate | null>>;
  at: number;
}

const contexts = new Map<string, SendContext>();

async function sendContext(db: Db, sendId: string): Promise<SendContext | undefined> {
  const hit = contexts.get(sendId);
  if (hit && Date.now() - hit.at < 60_000) return hit;
  const send = await getSend(db, sendId);
  if (!send) return undefined;
  const [post, site, rt, tracking] = await Promise.all([
    getPostForSending(db, send.post_id),
    getSiteSettings(db),
    runtime(db),
    trackingEnabled(db),
  ]);
  let replyTo = site.contactEmail || undefined;
  if (!replyTo) replyTo = await ownerEmail(db);
  const ctx: SendContext = {
    send,
    post,
    site,
    rt,
    resource: post ? { kind: "post", id: post.id, audience: post.audience } : undefined,
    replyTo,
    tracking,
    variants: new Map(),
    templates: new Map(),
    at: Date.now(),
  };
  contexts.set(sendId, ctx);
  return ctx;
}

function variantFor(ctx: SendContext, locale: Locale, full: boolean): Variant {
  const key = `${locale}:${full ? 1 : 0}`;
  let v = ctx.variants.get(key);
  if (!v) {
    v = renderVariant({
      post: ctx.post!,
      subject: ctx.send.subject,
      site: ctx.site,
      locale,
      full,
      publicUrl: ctx.rt.config.publicUrl,
      secret: ctx.rt.secret,
      sendId: ctx.send.id,
      tracking: ctx.tracking,
    });
    ctx.variants.set(key, v);
  }
  return v;
}

function templateFor(
  ctx: SendContext,
  locale: Locale,
  full: boolean,
  mail: (t: TemplateTokens) => Mail.Options,
  lengths: { unsub: number; track: number },
): Promise<MessageTemplate | null> {
  const key = `${locale}:${full ? 1 : 0}:${lengths.unsub}:${lengths.track}`;
  let t = ctx.templates.get(key);
  if (!t) {
    t = compileTemplate(mail, lengths).catch((err: unknown) => {
      log.warn("newsletter template not compiled; composing each message", {
        sendId: ctx.send.id,
        ...errorFields(err),
      });
      return null;
    });
    ctx.templates.set(key, t);
  }
  return t;
}

/* ---------------- leases: renewal while this process works ---------------- */

const activeSends = new Map<string, number>();
let renewTimer: NodeJS.Timeout | undefined;

function beginWork(db: Db, sendId: string): void {
  activeSends.set(sendId, (activeSends.get(sendId) ?? 0) + 1);
  if (renewTimer) return;
  renewTimer = setInterval(
    () => {
      const at = nowIso();
      const until = isoIn(settings.leaseMs);
      for (const id of activeSends.keys()) {
        Promise.all([
          db
            .updateTable("newsletter_deliveries")
            .set({ lease_until: until })
            .where("send_id", "=", id)
            .where("state", "=", "sending")
            .where("lease_owner", "=", workerId)
            .execute(),
          db.updateTable("newsletter_sends").set({ heartbeat_at: at }).where("id", "=", id).execute(),
        ]).catch((err: unknown) => log.warn("newsletter lease renewal failed", errorFields(err)));
      }
    },
    Math.max(200, Math.floor(settings.leaseMs / 3)),
  );
  renewTimer.unref();
}

function endWork(sendId: string): void {
  const n = (activeSends.get(sendId) ?? 1) - 1;
  if (n > 0) activeSends.set(sendId, n);
  else activeSends.delete(sendId);
  if (activeSends.size === 0 && renewTimer) {
    clearInterval(renewTimer);
    renewTimer = undefined;
  }
}

/* ---------------- group commit of outcomes ---------------- */

type Outcome =
  { state: "accepted" } | { state: "skipped" | "failed"; reason: string } | { state: "retry"; reason: string };
interface Mark {
  sendId: string;
  memberId: string;
  outcome: Outcome;
  done: () => void;
  fail: (err: unknown) => void;
}

class Marker {
  private pending: Mark[] = [];
  private flushing = 0;
  constructor(private db: Db) {}

  mark(sendId: string, memberId: string, outcome: Outcome): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ sendId, memberId, outcome, done, fail });
      // Up to 3 flushes in flight: a fresh acceptance never waits for a whole previous
      // flush, which keeps the "accepted by the server but not yet recorded" window short.
      if (this.flushing < 3) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing++;
    try {
      while (this.pending.length > 0) {
        const marks = this.pending;
        this.pending = [];
        try {
          await this.write(marks);
          for (const m of marks) m.done();
        } catch (err) {
          for (const m of marks) m.fail(err);
        }
      }
    } finally {
      this.flushing--;
    }
  }

  private async write(marks: Mark[]): Promise<void> {
    const at = nowIso();
    const groups = new Map<string, Mark[]>();
    for (const m of marks) {
      const reason = m.outcome.state === "accepted" ? "" : m.outcome.reason;
      const key = `${m.sendId}\u0000${m.outcome.state}\u0000${reason}`;
      const list = groups.get(key);
      if (list) list.push(m);
      else groups.set(key, [m]);
    }
    const db = this.db;
    // One group (the usual case: everything accepted) is one UPDATE, atomic without BEGIN/COMMIT round trips.
    const run =
      groups.size === 1
        ? (fn: (trx: Db) => Promise<void>) => fn(db)
        : (fn: (trx: Db) => Promise<void>) => transaction(db, fn);
    await run(async (trx) => {
      for (const list of groups.values()) {
        const { sendId, outcome } = list[0]!;
        const ids = list.map((m) => m.memberId);
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          const q = trx
            .updateTable("newsletter_deliveries")
            .where("send_id", "=", sendId)
            .where("member_id", "in", chunk)
            .where("state", "in", ["queued", "sending"]);
          if (outcome.state === "accepted")
            await q
              .set({
                state: "accepted",
                accepted_at: at,
                reason: null,
                lease_owner: null,
                lease_until: null,
                updated_at: at,
              })
              .execute();
          else if (outcome.state === "retry")
            await q
              .set({
                state: "queued",
                reason: outcome.reason.slice(0, 500),
                lease_owner: null,
                lease_until: null,
                updated_at: at,
              })
              .execute();
          else
            await q
              .set({
                state: outcome.state,
                reason: outcome.reason.slice(0, 500),
                lease_owner: null,
                lease_until: null,
                updated_at: at,
              })
              .execute();
        }
      }
    });
  }
}

const markers = new WeakMap<Db, Marker>();
function markerFor(db: Db): Marker {
  let m = markers.get(db);
  if (!m) markers.set(db, (m = new Marker(db)));
  return m;
}

/* ---------------- claiming and delivering ---------------- */

interface Claimed {
  member_id: string;
  email: string;
  attempts: number;
}

async function claimBatch(db: Db, sendId: string, batch: number): Promise<Claimed[]> {
  const now = nowIso();
  const r =
    await sql<Claimed>`UPDATE newsletter_deliveries SET state = 'sending', lease_owner = ${workerId}, lease_until = ${isoIn(settings.leaseMs)}, attempts = attempts + 1, updated_at = ${now}
    WHERE send_id = ${sendId} AND batch_no = ${batch} AND (state = 'queued' OR (state = 'sending' AND lease_until < ${now} AND lease_owner <> ${workerId}))
    RETURNING member_id, email, attempts`.execute(db);
  return r.rows;
}

function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Sends the claimed rows; returns how many must be tried again later. */
async function deliver(db: Db, ctx: SendContext, rows: Claimed[]): Promise<number> {
  const marker = markerFor(db);
  const sendId = ctx.send.id;
  if (!ctx.post || !ctx.resource) {
    await Promise.all(rows.map((r) => marker.mark(sendId, r.member_id, { state: "failed", reason: "post deleted" })));
    return 0;
  }
  const ids = rows.map((r) => r.member_id);
  const members = await memberContacts(db, ids);
  const suppressed = new Set<string>();
  const emails = [...new Set([...rows.map((r) => r.email), ...[...members.values()].map((m) => m.email)])];
  for (let i = 0; i < emails.length; i += 500) {
    for (const s of await db
      .selectFrom("newsletter_suppressions")
      .select("email")
      .where("email", "in", emails.slice(i, i + 500))
      .execute())
      suppressed.add(s.email);
  }
  const { config, secret } = ctx.rt;
  const host = publicHost(config.publicUrl);
  const transport = config.smtpUrl ? smtpPool(config.smtpUrl) : undefined;
  const from = { name: ctx.site.mailFromName || ctx.site.name, address: fromAddress(config) };
  // RFC 2919: the id in angle brackets must stay plain ASCII, so the phrase is made ASCII too
  // and the header is passed "prepared" (nodemailer would otherwise encode the whole value).
  const phrase = ctx.site.name
    .replace(/[’‘]/g, "'")
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/["\\<>]/g, "")
    .trim()
    .slice(0, 60);
  const listId = { prepared: true, value: `${phrase ? `"${phrase}" ` : ""}<newsletter.${host}>` };
  let retries = 0;

  // The paywall, per recipient, decided by the one access policy — asked for the whole batch
  // before sending, so that while messages flow the database only sees the `accepted` marks
  // (a mark stuck behind access queries would widen the window in which a crash repeats a message).
  const full = await membersWithAccess(db, [...members.keys()], ctx.resource);

  const slot = transport ? smtpSendSlot() : undefined;
  // Lanes render ahead (CPU) while the pool's connections talk to the server.
  await mapLimit(rows, settings.poolSize * 4, async (row) => {
    const m = members.get(row.member_id);
    if (!m) return marker.mark(sendId, row.member_id, { state: "skipped", reason: "erased" });
    if (m.status !== "active" || m.email_opt_in !== 1)
      return marker.mark(sendId, row.member_id, { state: "skipped", reason: "unsubscribed" });
    if (suppressed.has(m.email) || suppressed.has(row.email))
      return marker.mark(sendId, row.member_id, { state: "skipped", reason: "suppressed" });
    // A message that cannot be rendered is a failed (or retried) row, like one the server refused.
    const failure = (err: unknown): Outcome => {
      const reason = err instanceof Error ? err.message : String(err);
      if (isPermanent(err) || row.attempts >= MAX_ROW_ATTEMPTS) return { state: "failed", reason };
      retries++;
      return { state: "retry", reason };
    };
    const messageId = `<${sendId}.${m.id}@${host}>`;
    let tokens: TemplateTokens;
    let mail: (t: TemplateTokens) => Mail.Options;
    let raw: Buffer | null;
    try {
      const locale: Locale = isLocale(m.locale) ? m.locale : ctx.site.locale;
      const variant = variantFor(ctx, locale, full.has(m.id));
      tokens = {
        unsubToken: unsubscribeToken(secret, m.id, sendId),
        trackToken: ctx.tracking ? trackingToken(secret, sendId, m.id) : "",
      };
      mail = (t) => {
        const unsubUrl = `${config.publicUrl}/unsubscribe?token=${t.unsubToken}`;
        const body = personalise(variant, unsubUrl, t.trackToken);
        const headers = {
          "List-Unsubscribe": `<${unsubUrl}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
          "List-Id": listId,
        };
        return {
          from,
          replyTo: ctx.replyTo,
          subject: ctx.send.subject,
          html: body.html,
          text: body.text,
          headers,
          textEncoding: "quoted-printable",
        };
      };
      // The variant compiled once (see prebuilt.ts); null means "compose this one as usual".
      const template = transport
        ? await templateFor(ctx, locale, full.has(m.id), mail, {
            unsub: tokens.unsubToken.length,
            track: tokens.trackToken.length,
          })
        : null;
      raw = template ? fillTemplate(template, { toLine: toHeaderLine(m.name, m.email), messageId, ...tokens }) : null;
    } catch (err) {
      return marker.mark(sendId, row.member_id, failure(err));
    }
    const send = async (): Promise<Outcome> => {
      try {
        if (transport && raw) await transport.sendMail({ envelope: { from: from.address, to: [m.email] }, raw });
        else if (transport)
          await transport.sendMail({
            ...mail(tokens),
            to: m.name ? { name: m.name, address: m.email } : m.email,
            messageId,
          });
        else {
          const { html, text, headers } = mail(tokens) as {
            html: string;
            text: string;
            headers: Record<string, string>;
          };
          await db
            .insertInto("dev_mailbox")
            .values({
              id: newId(),
              to_address: m.email,
              from_address: `${from.name} <${from.address}>`,
              subject: ctx.send.subject,
              text,
              html,
              headers: JSON.stringify({
                ...headers,
                "List-Id": listId.value,
                "Message-ID": messageId,
                ...(ctx.replyTo ? { "Reply-To": ctx.replyTo } : {}),
              }),
              created_at: nowIso(),
            })
            .execute();
        }
        return { state: "accepted" };
      } catch (err) {
        return failure(err);
      }
    };
    /*
     * A crash can only repeat a message the server accepted and we had not yet recorded. The
     * slot is held from the SMTP transaction until its outcome is committed (group commit keeps
     * that short), so at any moment at most `poolSize` messages are in that window: a kill -9
     * duplicates at most poolSize messages, however loaded the machine is.
     */
    const sendAndRecord = async () => marker.mark(sendId, row.member_id, await send());
    await (slot ? slot(sendAndRecord) : sendAndRecord());
  });
  return retries;
}

/** Job: one batch of one send. Idempotent: it only takes rows nobody holds. */
export async function runBatch(db: Db, payload: { sendId: string; batch: number }): Promise<void> {
  const ctx = await sendContext(db, payload.sendId);
  if (!ctx) return;
  const state = (
    await db.selectFrom("newsletter_sends").select("state").where("id", "=", payload.sendId).executeTakeFirst()
  )?.state;
  if (state !== "sending") return;
  beginWork(db, payload.sendId);
  try {
    const rows = await claimBatch(db, payload.sendId, payload.batch);
    if (rows.length === 0) return;
    await db.updateTable("newsletter_sends").set({ heartbeat_at: nowIso() }).where("id", "=", payload.sendId).execute();
    let retries: number;
    try {
      retries = await deliver(db, ctx, rows);
    } catch (err) {
      // Hand back what this run claimed and did not settle (claims skip rows this process holds).
      await db
        .updateTable("newsletter_deliveries")
        .set({ state: "queued", lease_owner: null, lease_until: null })
        .where("send_id", "=", payload.sendId)
        .where("batch_no", "=", payload.batch)
        .where("state", "=", "sending")
        .where("lease_owner", "=", workerId)
        .execute()
        .catch(() => undefined);
      throw err;
    }
    if (retries > 0) throw new Error(`${retries} messages refused for now; retrying later`);
  } finally {
    endWork(payload.sendId);
    await tryFinish(db, payload.sendId);
  }
}

/**
 * Job: the watchdog of a running send. Finishes it when everything is
 * settled; otherwise re-enqueues the batches that have claimable rows nobody
 * works on (a lease that ran out, or queued rows while no progress was made
 * for a whole lease), then schedules its next round.
 */
export async function runWatch(db: Db, payload: { sendId: string }): Promise<void> {
  const send = await getSend(db, payload.sendId);
  if (!send || send.state !== "sending") return;
  if (await tryFinish(db, send.id)) return;
  const now = nowIso();
  const stalled = !send.heartbeat_at || send.heartbeat_at < isoIn(-settings.leaseMs);
  const rows = await db
    .selectFrom("newsletter_deliveries")
    .select("batch_no")
    .distinct()
    .where("send_id", "=", send.id)
    .where((eb) => {
      const stale = eb.and([eb("state", "=", "sending"), eb("lease_until", "<", now)]);
      return stalled ? eb.or([stale, eb("state", "=", "queued")]) : stale;
    })
    .execute();
  if (rows.length > 0) {
    const round = send.resume_count + 1;
    await transaction(db, async (trx) => {
      for (const r of rows)
        await enqueue(
          trx,
          BATCH_JOB,
          { sendId: send.id, batch: r.batch_no },
          { dedupeKey: `nl:b:${send.id}:${r.batch_no}:r${round}`, maxAttempts: 10 },
        );
      await trx
        .updateTable("newsletter_sends")
        .set({ resume_count: round, heartbeat_at: now, updated_at: now })
        .where("id", "=", send.id)
        .execute();
    });
    log.info("newsletter send resumed", { sendId: send.id, batches: rows.length, round });
  }
  await enqueueWatch(db, send.id);
}

/** Recurring: starts due scheduled sends and makes sure every running send has its watchdog. */
export async function runTick(db: Db): Promise<void> {
  const now = nowIso();
  const due = await db
    .selectFrom("newsletter_sends")
    .select("id")
    .where("state", "=", "scheduled")
    .where("scheduled_at", "<=", now)
    .execute();
  for (const s of due) await startSend(db, s.id);
  const running = await db.selectFrom("newsletter_sends").select("id").where("state", "=", "sending").execute();
  for (const s of running) await enqueueWatch(db, s.id);
}
