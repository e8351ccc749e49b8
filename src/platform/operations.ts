import type { z } from "zod";
import { transaction, type Db } from "./db/index.ts";
import type { Services } from "./http/context.ts";
import { AppError, forbidden, unauthenticated } from "./http/errors.ts";
import { parseInput } from "./http/validation.ts";
import type { Actor, StaffRole } from "./actor.ts";
import { record as recordInLog, type RecordOptions } from "./events/log.ts";
import { registeredConsumers, triggerOutbox } from "./events/outbox.ts";
import type { EventType } from "./events/catalogue.ts";
import type { Clock } from "./time.ts";
import { log } from "./log.ts";

/**
 * One state change, one operation: input schema → authorise → run in a
 * transaction → record typed events in that transaction → present. Routes,
 * jobs, the CLI and the API all call `runOperation`, so they share the same
 * validation (422 with one translated message per field), the same role
 * checks (403) and the same all-or-nothing write (events included).
 */

/** Records a declared event in the operation's transaction, as the operation's actor. */
export type Recorder = <T extends string, S extends z.ZodType>(
  event: EventType<T, S>,
  payload: z.output<S>,
  opts: { memberId: string | null; at?: string },
) => Promise<string>;

export interface OperationContext<I> {
  trx: Db;
  actor: Actor;
  input: I;
  clock: Clock;
  record: Recorder;
  services: Services;
  /**
   * Runs `fn` once the transaction has committed: for side effects that reach
   * outside it (a payment provider call, whose webhook writes through another
   * connection; a job that must see the committed rows). If the transaction
   * rolls back, nothing runs. An error thrown there reaches the caller, after
   * the commit.
   */
  afterCommit(fn: () => Promise<unknown> | unknown): void;
}

interface OperationBase<S extends z.ZodType, R, P> {
  /** "<module>.<verb>", for logs and the API. */
  name: string;
  input: S;
  run(ctx: OperationContext<z.output<S>>): Promise<R>;
  /** Turns the result into what callers get (allow-listed fields, never a raw row). */
  present?: (result: R) => P;
}

/**
 * Who may run it: `roles` lets staff with one of these roles (and the system
 * actor) through; `authorize` decides anything else (a member acting on their
 * own data...). Exactly one of the two.
 */
export type Operation<S extends z.ZodType = z.ZodType, R = unknown, P = R> = OperationBase<S, R, P> &
  (
    | { roles: readonly StaffRole[]; authorize?: never }
    | { authorize: (actor: Actor, input: z.output<S>) => boolean | Promise<boolean>; roles?: never }
  );

export function defineOperation<S extends z.ZodType, R, P = R>(op: Operation<S, R, P>): Operation<S, R, P> {
  return op;
}

/** Only the owner: refunds, erasing members, exports, payment and mail settings, staff. */
export const ownerOnly: readonly StaffRole[] = ["owner"];
/** Any staff member (owner or assistant). */
export const anyStaff: readonly StaffRole[] = ["owner", "assistant"];

/**
 * The role check of operations, for what is not a state change (a GET that
 * exports data, a confirmation page): staff with one of `roles` pass, an
 * assistant gets a translated 403, anyone else a 401.
 */
export function assertRoles(actor: Actor, roles: readonly StaffRole[]): void {
  if (actor.kind === "system") return;
  if (actor.kind !== "staff") throw unauthenticated();
  if (roles.includes(actor.role)) return;
  throw new AppError("forbidden", 403, roles.includes("assistant") ? "error.forbidden" : "error.owner_only");
}

async function authorise<S extends z.ZodType>(
  op: Operation<S, unknown, unknown>,
  actor: Actor,
  input: z.output<S>,
): Promise<void> {
  if (op.roles) return assertRoles(actor, op.roles);
  if (!(await op.authorize(actor, input))) throw actor.kind === "anonymous" ? unauthenticated() : forbidden();
}

export interface RunOptions {
  /** Join a transaction the caller already holds instead of opening one (with its own after-commit list). */
  trx?: Db;
  /** With `trx`: where to put the operation's after-commit steps (the caller runs them after its commit). */
  afterCommit?: (fn: () => Promise<unknown> | unknown) => void;
}

/** Parses, authorises and runs an operation for an actor; returns its presented result. */
export async function runOperation<S extends z.ZodType, R, P>(
  services: Services,
  op: Operation<S, R, P>,
  actor: Actor,
  rawInput: unknown,
  opts: RunOptions = {},
): Promise<P> {
  const input = parseInput(op.input, rawInput) as z.output<S>;
  await authorise(op as Operation<S, unknown, unknown>, actor, input);
  let recorded = 0;
  const later: (() => Promise<unknown> | unknown)[] = [];
  const afterCommit = (fn: () => Promise<unknown> | unknown): void => {
    if (opts.trx) {
      if (!opts.afterCommit) throw new Error(`${op.name}: joined a transaction without an afterCommit list`);
      opts.afterCommit(fn);
    } else later.push(fn);
  };
  const body = async (trx: Db): Promise<R> => {
    const record: Recorder = (event, payload, o) => {
      recorded++;
      const options: RecordOptions = { memberId: o.memberId, actor, at: o.at ?? services.clock.nowIso() };
      return recordInLog(trx, event, payload, options);
    };
    return op.run({ trx, actor, input, clock: services.clock, record, services, afterCommit });
  };
  const result = opts.trx ? await body(opts.trx) : await transaction(services.db, body);
  if (recorded > 0 && !opts.trx && registeredConsumers().length > 0) {
    // After the commit; if this is lost the recurring outbox job still picks the events up.
    await triggerOutbox(services.db, services.clock).catch((err: unknown) =>
      log.warn("outbox trigger failed", { operation: op.name, error: String(err) }),
    );
  }
  // In order, each after the previous one: a provider call then the job that reads its result.
  for (const fn of later) await fn();
  return op.present ? op.present(result) : (result as unknown as P);
}
