import fs from "node:fs";
import path from "node:path";

/** The repository's src/modules folder. */
export const modulesDir = path.resolve(import.meta.dirname, "../../src/modules");

/** A module's source files, tests and test helpers excluded (tests may arrange any table's rows). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "migrations" && entry.name !== "testing" && entry.name !== "fixtures")
        out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !/^testing\.tsx?$/.test(entry.name))
      out.push(full);
  }
  return out.sort();
}

/** Source without comments, so prose about another module's data is not mistaken for access to it. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const builderCall =
  /\b(?:selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin)\(\s*["'`]([a-z_][a-z0-9_]*)/g;
const tableType = /\bDatabase\[\s*["']([a-z_][a-z0-9_]*)["']\s*\]/g;
const rawSql = /\bsql(?:<[^>]*>)?`([^`]*)`/g;
const rawTable = /\b(?:from|join|into|update|table)\s+([a-z_][a-z0-9_]*)/gi;
const schemaCall =
  /\.(?:createTable|alterTable|dropTable)\(\s*["']([a-z_][a-z0-9_]*)["']|\.on\(\s*["']([a-z_][a-z0-9_]*)["']/g;

/** Table names a piece of code reads or writes: Kysely builder calls, Database["x"] types and raw SQL. */
export function tablesNamed(source: string, known: ReadonlySet<string>): Set<string> {
  const code = withoutComments(source);
  const found = new Set<string>();
  for (const m of code.matchAll(builderCall)) found.add(m[1]!);
  for (const m of code.matchAll(tableType)) found.add(m[1]!);
  for (const m of code.matchAll(rawSql)) for (const t of m[1]!.matchAll(rawTable)) found.add(t[1]!.toLowerCase());
  return new Set([...found].filter((t) => known.has(t)));
}

/** Tables a migration creates, alters, drops or indexes. */
export function tablesMigrated(source: string): Set<string> {
  const found = new Set<string>();
  for (const m of withoutComments(source).matchAll(schemaCall)) found.add((m[1] ?? m[2])!);
  return found;
}
