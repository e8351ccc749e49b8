import { sql } from "kysely";
import type { NewsletterConfig } from "../../../platform/config.ts";
import { transaction, type Db } from "../../../platform/db/index.ts";
import { errorFields, log } from "../../../platform/log.ts";
import type { Clock } from "../../../platform/time.ts";
import { workerId } from "./runtime.ts";
import type { AcceptWindow, WindowPass } from "./window.ts";

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
  /** The message held a place in the acceptance window when its outcome came. */
  holder: boolean;
  done: () => void;
  fail: (err: unknown) => void;
}

/** How long a mark may wait for the other window holders' replies before it is written anyway. */
const GATHER_MS = 5;

class Marker {
  private pending: Mark[] = [];
  private flushing = 0;
  private scheduled = false;
  private gatherTimer: NodeJS.Timeout | undefined;
  /** Holders whose outcome is pending or being written (their places are given back once written). */
  private reportedHolders = 0;
  constructor(
    private db: Db,
    public clock: Clock,
  ) {}

  mark(sendId: string, memberId: string, outcome: Outcome, window?: AcceptWindow, pass?: WindowPass): Promise<void> {
    return new Promise((done, fail) => {
      const holder = pass?.held === true;
      if (holder) this.reportedHolders++;
      this.pending.push({ sendId, memberId, outcome, holder, done, fail });
      /*
       * Each write is a commit, and on SQLite the commits, not the rows, are what cost. An accepted
       * message's mark waits (at most GATHER_MS) for the others while the window still has room:
       * its place is only needed back when a message has to wait for one (onStarved), or when every
       * place is held by a message that has reported. Duplicates after a crash stay bounded by the
       * window's size, whatever the marks wait for.
       */
      if (window && holder) {
        window.onStarved = () => this.schedule();
        if (this.reportedHolders < window.size) {
          this.gatherTimer ??= setTimeout(() => {
            this.gatherTimer = undefined;
            this.schedule();
          }, GATHER_MS);
          return;
        }
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = undefined;
    }
    // The marks that arrive in one turn of the event loop are written together; up to 3 flushes in
    // flight, so a fresh acceptance never waits for a whole previous flush.
    if (!this.scheduled && this.flushing < 3 && this.pending.length > 0) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  private async flush(): Promise<void> {
    this.flushing++;
    try {
      while (this.pending.length > 0) {
        const marks = this.pending;
        this.pending = [];
        try {
          await this.write(marks);
          this.settled(marks);
          for (const m of marks) m.done();
        } catch (err) {
          this.settled(marks);
          for (const m of marks) m.fail(err);
        }
      }
    } finally {
      this.flushing--;
    }
  }

  private settled(marks: Mark[]): void {
    for (const m of marks) if (m.holder) this.reportedHolders--;
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
