/**
 * RFC 5545 text, written by hand: the invitation needs METHOD, SEQUENCE,
 * ORGANIZER/ATTENDEE and STATUS:CANCELLED exactly, and the feed many events
 * in one calendar. Times are UTC ("Z" form), lines end in CRLF and are folded
 * at 75 octets (never inside a UTF-8 sequence), text is escaped.
 */

export interface IcsEvent {
  uid: string;
  sequence: number;
  start: string;
  end: string;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  organizer?: { name: string; email: string };
  attendee?: { name: string; email: string };
  cancelled?: boolean;
  stamp: string;
}

export function escapeText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds one content line at 75 octets (continuation lines start with a space). */
export function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (octets + n > limit) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join("\r\n ");
}

export function utc(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

// Parameter values with ":" ";" "," must be quoted; a quote cannot appear in one at all.
const param = (s: string) => `"${s.replace(/["\r\n]/g, "")}"`;

function eventLines(e: IcsEvent, method: string): string[] {
  const lines = [
    "BEGIN:VEVENT",
    `UID:${e.uid}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${utc(e.stamp)}`,
    `DTSTART:${utc(e.start)}`,
    `DTEND:${utc(e.end)}`,
    `SUMMARY:${escapeText(e.summary)}`,
  ];
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
  if (e.url) lines.push(`URL:${e.url.replace(/[\r\n]/g, "")}`);
  if (e.organizer) lines.push(`ORGANIZER;CN=${param(e.organizer.name)}:mailto:${e.organizer.email}`);
  if (e.attendee)
    lines.push(
      `ATTENDEE;CN=${param(e.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=${method === "REQUEST" ? "NEEDS-ACTION" : "DECLINED"};RSVP=FALSE:mailto:${e.attendee.email}`,
    );
  lines.push(`STATUS:${e.cancelled ? "CANCELLED" : "CONFIRMED"}`, "END:VEVENT");
  return lines;
}

export function calendar(
  events: IcsEvent[],
  opts: { method?: "REQUEST" | "CANCEL" | "PUBLISH"; name?: string } = {},
): string {
  const method = opts.method ?? "PUBLISH";
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Atelier//Coaching//FR",
    "CALSCALE:GREGORIAN",
    `METHOD:${method}`,
  ];
  if (opts.name) lines.push(`X-WR-CALNAME:${escapeText(opts.name)}`);
  for (const e of events) lines.push(...eventLines(e, method));
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}
