import type { PostgresPool, PostgresPoolClient } from "kysely";
import type pg from "pg";

/**
 * Named (server-side prepared) statements on PostgreSQL for the few SQL texts
 * of hot paths (see prepared.ts). Kysely sends every query unnamed, so the
 * server parses and plans it anew each time; for a feed poll's two
 * sub-millisecond lookups that planning cost more than the execution (pgbench
 * on the bench's database, under the shared machine's load: 2.2 ms a pair
 * unnamed, 0.44 ms named). A named statement is parsed once per connection.
 */
const names = new Map<string, string>();

/** Runs this SQL text as a named statement from now on, on every PostgreSQL connection. */
export function nameStatement(sqlText: string): void {
  if (!names.has(sqlText)) names.set(sqlText, `atelier_hot_${names.size + 1}`);
}

/**
 * The pool Kysely is given: the same connections, whose query() names the
 * registered texts. One wrapper per client, since Kysely keys its connection
 * objects by client.
 */
export function namingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrappers.get(client);
    if (!w) {
      const query = (text: unknown, values?: readonly unknown[]) => {
        const name = typeof text === "string" ? names.get(text) : undefined;
        if (name) return client.query({ name, text: text as string, values: values as unknown[] });
        // Anything else (a cursor, an unregistered text) goes through untouched.
        return (client.query as (t: unknown, v?: readonly unknown[]) => unknown).call(client, text, values);
      };
      w = {
        query: query as PostgresPoolClient["query"],
        // Kysely passes true to discard a connection left unusable (a failed rollback).
        release: (discard?: boolean) => client.release(discard),
        // Kysely reads the backend's pid to cancel a query; the pg client has it once connected.
        get processID() {
          return (client as unknown as { processID?: number }).processID;
        },
      } as PostgresPoolClient;
      wrappers.set(client, w);
    }
    return w;
  };
  return {
    // pg-pool keeps the client class it makes connections with (Kysely uses it for cancel queries).
    Client: (pool as unknown as { Client: PostgresPool["Client"] }).Client,
    options: pool.options,
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
