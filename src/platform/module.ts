import type { Hono } from "hono";
import type { Database } from "./db/schema.ts";
import type { AppEnv } from "./http/context.ts";
import type { Messages } from "./i18n/index.ts";

/**
 * Every table of the database: the platform's own (platform/db/schema.ts)
 * plus those each module adds to `Database` in its `tables.ts`.
 */
export type TableName = keyof Database & string;

/**
 * What a domain module declares and offers. `src/modules/<name>/index.ts`
 * builds it with defineModule and exports, beside it, the functions other
 * modules may call; nothing else of the module is imported from outside
 * (the `atelier/module-boundaries` lint rule).
 *
 * Data ownership: `tables` lists the tables the module owns. Only its own
 * code names them (selectFrom, insertInto, raw SQL...); another module that
 * needs their data calls one of the exported functions. Their Kysely types
 * live in the module's `tables.ts`, which adds them to `Database`. The
 * module's migrations are the files of its `migrations/` folder (applied in
 * name order with every other module's); they create only its own tables.
 * test/architecture/ownership.test.ts checks all three.
 */
export interface ModuleDefinition {
  /** The module's folder name under src/modules. */
  name: string;
  /** The tables this module owns (its `tables.ts` declares their types). */
  tables: readonly TableName[];
  /** Its i18n catalog (keys prefixed by the module's name). */
  messages?: Messages;
  /** Registers routes and middleware; called in module order (src/modules/index.ts). */
  routes?: (app: Hono<AppEnv>) => void;
  /**
   * GET routes addressed by a token in the URL that apps poll (podcast feeds), mounted before the
   * request context: they get `c.var.services` only (no site settings, sessions, CSRF or body).
   * A refusal they throw is rendered like any other (in the visitor's language if they set it).
   */
  pollRoutes?: (app: Hono<AppEnv>) => void;
  /** Registers job handlers (registerJobHandler / registerRecurringJob), from the module's `jobs.ts`. */
  jobs?: () => void;
}

export type AtelierModule = Readonly<ModuleDefinition>;

/** Declares a module (see ModuleDefinition); the result is frozen. */
export function defineModule<const M extends ModuleDefinition>(definition: M): Readonly<M> {
  return Object.freeze(definition);
}
