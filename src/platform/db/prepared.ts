import type { CompiledQuery, Compilable } from "kysely";
import { directSqliteRead, isPostgres, type Db } from "./index.ts";
import { nameStatement } from "./pg-named.ts";

/**
 * A query built and compiled once per dialect, then run with one argument:
 * for the few queries every request of a hot path makes (a feed poll), where
 * building and compiling the SQL cost more than running it. The builder gets
 * a stand-in value for the argument; every parameter equal to it is replaced
 * by the real one at run time (so it must not collide with a constant).
 * On PostgreSQL it also runs as a named statement, planned once per
 * connection (pg-named.ts); on SQLite a read runs straight on the connection
 * when no transaction is open (directSqliteRead).
 */
export function prepared<R>(build: (db: Db, arg: string) => Compilable<R>): (db: Db, arg: string) => Promise<R[]> {
  const standIn = `\u0000prepared-${Math.random().toString(36).slice(2)}`;
  const compiled = new Map<string, CompiledQuery<R>>();
  return async (db, arg) => {
    // Read from the query adapter: right for the database and for a transaction alike.
    const dialect = isPostgres(db) ? "postgres" : "sqlite";
    let q = compiled.get(dialect);
    if (!q) {
      q = build(db, standIn).compile();
      compiled.set(dialect, q);
      if (dialect === "postgres") nameStatement(q.sql);
    }
    const parameters = q.parameters.map((p) => (p === standIn ? arg : p));
    const direct = dialect === "sqlite" ? directSqliteRead(db) : undefined;
    const rows = direct?.(q.sql, parameters);
    if (rows) return rows as R[];
    return (await db.executeQuery<R>({ ...q, parameters })).rows;
  };
}
