import { sql } from "kysely";
import type { NewsletterConfig } from "../../../platform/config.ts";
import { transaction, type Db } from "../../../platform/db/index.ts";
import { errorFields, log } from "../../../platform/log.ts";
import type { Clock } from "../../../platform/time.ts";
import { workerId } from "./runtime.ts";

/* ---------------- leases: renewal while this process works ---------------- */

const activeSends = new Map<string, number>();
let renewTimer: NodeJS.Timeout | undefined;
/* The clock of the latest work begun: one process runs one app's services, and the timer outlives a batch. */
let renewClock: Clock | undefined;

export function beginWork(db: Db, nl: NewsletterConfig, clock: Clock, sendId: string): void {
  activeSends.set(sendId, (activeSends.get(sendId) ?? 0) + 1);
  renewClock = clock;
  if (renewTimer) return;
  renewTimer = setInterval(
    () => {
      const nowMs = (renewClock ?? clock).nowMs();
      const at = new Date(nowMs).toISOString();
      const until = new Date(nowMs + nl.leaseMs).toISOString();
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
    Math.max(200, Math.floor(nl.leaseMs / 3)),
  );
  renewTimer.unref();
}

export function endWork(sendId: string): void {
  const n = (activeSends.get(sendId) ?? 1) - 1;
  if (n > 0) activeSends.set(sendId, n);
  else activeSends.delete(sendId);
  if (activeSends.size === 0 && renewTimer) {
    clearInterval(renewTimer);
    renewTimer = undefined;
  }
}

/* ---------------- group commit of outcomes ---------------- */

export type Outcome =
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
  private scheduled = false;
  constructor(
    private db: Db,
    public clock: Clock,
  ) {}

  mark(sendId: string, memberId: string, outcome: Outcome): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ sendId, memberId, outcome, done, fail });
      // The marks that arrive in one turn of the event loop (the replies the pool read in one go)
      // are written together; up to 3 flushes in flight, so a fresh acceptance never waits for a
      // whole previous flush, which keeps the "accepted but not yet recorded" window short.
      if (!this.scheduled && this.flushing < 3) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
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
    const at = this.clock.nowIso();
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
            // `state || ''`: compared, not indexed. With several ids SQLite would otherwise walk
            // the (send_id, state) index over every row in flight instead of the key's few rows.
            .where(sql<string>`state || ''`, "in", ["queued", "sending"]);
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
export function markerFor(db: Db, clock: Clock): Marker {
  let m = markers.get(db);
  if (!m) markers.set(db, (m = new Marker(db, clock)));
  else m.clock = clock;
  return m;
}
