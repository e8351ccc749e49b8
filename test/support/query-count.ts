import SQLite from "better-sqlite3";
import pg from "pg";

/**
 * Counts the SQL statements the process runs, on both databases, by wrapping
 * the drivers' own entry points (better-sqlite3 statements, pg's
 * Client.query): what a request costs in queries, for budget tests. The job
 * worker polls in the same process, so its statements (jobs, outbox) are left
 * out; everything else is kept with its text so a failing budget shows which
 * query is extra.
 */
const seen: string[] = [];
let installed = false;
let recording = false;

const background = /\b(jobs|event_outbox|outbox_cursor)\b/i;

function note(text: string): void {
  if (recording && !background.test(text)) seen.push(text.replace(/\s+/g, " ").trim());
}

function install(): void {
  if (installed) return;
  installed = true;
  const probe = new SQLite(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const name of ["all", "run", "get", "iterate"] as const) {
    const original = proto[name]!;
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      note(this.source);
      return original.apply(this, args);
    };
  }
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    note(typeof q === "string" ? q : String((q as { text?: string })?.text ?? ""));
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** The statements `fn` ran (its own and anything concurrent but the job worker's). */
export async function queriesOf(fn: () => Promise<unknown>): Promise<string[]> {
  install();
  seen.length = 0;
  recording = true;
  try {
    await fn();
  } finally {
    recording = false;
  }
  return [...seen];
}
