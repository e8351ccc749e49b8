import type { AppContext } from "../../../platform/http/context.ts";
import { t as translate } from "../../../platform/i18n/index.ts";
import { staffActorOf } from "../../staff/index.ts";
import { assertRoles, ownerOnly } from "../../../platform/operations.ts";
import { moneyContext } from "./money.ts";
import { csvRow, utf8Bom, type Delimiter } from "./csv.ts";
import { parseFilter, readRawFilter } from "./filters.ts";
import { iterateMembers, type MemberListRow } from "./queries.ts";
import { sourceLabel } from "./views.tsx";
import { memberMoney, type MemberMoney } from "./money.ts";
import { minorUnits } from "../../../platform/payments/currencies.ts";

/** The member list as CSV (the list's filters apply), streamed 1,000 rows at a time: the owner's alone. */
export async function exportMembersCsv(c: AppContext): Promise<Response> {
  // Exporting everyone's personal data is the owner's decision.
  assertRoles(await staffActorOf(c), ownerOnly);
  const db = c.var.services.db;
  const site = c.var.site;
  const { filter } = parseFilter(
    readRawFilter((k) => c.req.query(k)),
    site.timeZone,
    site.currency,
  );
  const ctx = moneyContext(c);
  const provider = memberMoney();
  const delimiter: Delimiter = c.req.query("delimiter") === "semicolon" ? ";" : ",";
  // Headers in the creator's language (the site's), like the rest of what they read.
  const h = (k: string) => translate(site.locale, `members.admin.csv.${k}`, { currency: site.currency });
  const columns = [
    "id",
    "email",
    "name",
    "status",
    "newsletter",
    "language",
    "time_zone",
    "source",
    "joined_at",
    "confirmed_at",
    "last_seen_at",
    ...(provider ? ["tier", "paying", "revenue"] : []),
    "note",
  ];
  const header = columns.map(h);
  const yes = translate(site.locale, "members.admin.yes");
  const no = translate(site.locale, "members.admin.no");
  // Revenue as a plain decimal number (12.50) in the site's currency, so a spreadsheet can add it up.
  const digits = minorUnits(site.currency);
  const cells = (m: MemberListRow, money: MemberMoney | undefined) => [
    m.id,
    m.email,
    m.name,
    translate(site.locale, `members.admin.status.${m.status}`),
    m.emailOptIn ? yes : no,
    m.locale,
    m.timeZone,
    sourceLabel(site.locale, m.source),
    m.createdAt,
    m.confirmedAt,
    m.lastSeenAt,
    ...(provider
      ? [
          money?.tier ?? "",
          translate(site.locale, `members.admin.paying.${money?.paying ?? "free"}`),
          ((money?.revenue ?? 0) / 10 ** digits).toFixed(digits),
        ]
      : []),
    m.note,
  ];
  const rowsOf = async (rows: MemberListRow[]) => {
    const money = provider
      ? await provider.summaries(
          db,
          rows.map((r) => r.id),
          ctx.currency,
          ctx.at,
        )
      : null;
    return rows.map((m) => csvRow(cells(m, money?.get(m.id)), delimiter)).join("");
  };
  const encoder = new TextEncoder();
  const chunks = iterateMembers(db, filter, 1000, ctx);
  let headerSent = false;
  // One chunk of 1,000 rows in memory at a time, however many members match.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(utf8Bom + csvRow(header, delimiter)));
        return;
      }
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(await rowsOf(next.value)));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const day = c.var.services.clock.nowIso().slice(0, 10);
  return c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="members-${day}.csv"`,
    "Cache-Control": "private, no-store",
  });
}
