import { toNumber, type Db } from "../../../platform/db/index.ts";

/** A send's progress as the admin page and progress.json show it: rows per state, plus opens and clicks. */
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
