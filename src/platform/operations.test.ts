import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { z } from "zod";
import { startTestServices, type TestServices } from "../../test/support/services.ts";
import { anonymousActor, memberActor, staffActor, systemActor } from "./actor.ts";
import { defineEvent, memberEvents, record } from "./events/index.ts";
import { AppError } from "./http/errors.ts";
import { transaction } from "./db/index.ts";
import { field } from "./http/validation.ts";
import { anyStaff, defineOperation, ownerOnly, runOperation } from "./operations.ts";

const noteAdded = defineEvent({
  type: "test.note_added",
  version: 1,
  payload: z.object({ note: z.string(), amount: z.number().int() }),
  example: { note: "Bonjour", amount: 1900 },
  timeline: {
    fr: (p, f) => `Note « ${p.note} » · ${f.money(p.amount, "EUR")}`,
    en: (p, f) => `Note “${p.note}” · ${f.money(p.amount, "EUR")}`,
  },
});

let t: TestServices;
before(async () => {
  t = await startTestServices();
});
after(async () => {
  await t.stop();
});

const memberId = "0190a000-0000-7000-8000-00000000aaaa";

const addNote = defineOperation({
  name: "test.add_note",
  input: z.object({ note: field.text(20), fail: field.checkbox() }),
  roles: anyStaff,
  async run({ trx, input, record, clock }) {
    await trx
      .insertInto("settings")
      .values({ key: `note:${input.note}`, value: "{}", updated_at: clock.nowIso() })
      .execute();
    await record(noteAdded, { note: input.note, amount: 1900 }, { memberId });
    if (input.fail) throw new AppError("conflict", 409);
    return { note: input.note, secret: "not shown" };
  },
  present: (r) => ({ note: r.note }),
});

const refund = defineOperation({
  name: "test.refund",
  input: z.object({}),
  roles: ownerOnly,
  run: async () => "refunded",
});

const ownNote = defineOperation({
  name: "test.own_note",
  input: z.object({ memberId: z.string() }),
  authorize: (actor, input) => actor.kind === "member" && actor.memberId === input.memberId,
  run: async () => "ok",
});

const owner = staffActor("0190a000-0000-7000-8000-000000000001", "owner");
const assistant = staffActor("0190a000-0000-7000-8000-000000000002", "assistant");

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return err;
  }
  assert.fail("expected an AppError");
}

test("too-long input is a 422 naming the limit, and nothing runs", async () => {
  const err = await rejects(runOperation(t.services, addNote, owner, { note: "x".repeat(21) }));
  assert.equal(err.status, 422);
  assert.equal(err.code, "invalid_input");
  assert.deepEqual(err.fields.note, { key: "validation.too_long", params: { max: "20" } });
  assert.equal((await memberEvents(t.services.db, memberId)).length, 0);
});

test("a valid call commits its write and its typed event, and presents only allowed fields", async () => {
  const out = await runOperation(t.services, addNote, assistant, { note: "  Bonjour  " });
  assert.deepEqual(out, { note: "Bonjour" });
  const events = await memberEvents(t.services.db, memberId);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, "test.note_added");
  assert.equal(events[0]!.actor, "staff");
  assert.equal(events[0]!.createdAt, t.clock.nowIso(), "the event time comes from the services' clock");
  assert.deepEqual(events[0]!.data, { note: "Bonjour", amount: 1900 });
});

test("a failing operation rolls back its writes and the events it recorded", async () => {
  const before = (await memberEvents(t.services.db, memberId)).length;
  const err = await rejects(runOperation(t.services, addNote, owner, { note: "rolled", fail: "on" }));
  assert.equal(err.status, 409);
  assert.equal((await memberEvents(t.services.db, memberId)).length, before);
  const row = await t.services.db.selectFrom("settings").select("key").where("key", "=", "note:rolled").execute();
  assert.equal(row.length, 0);
});

test("roles: an assistant gets 403 on an owner-only operation; the owner and the system pass", async () => {
  const err = await rejects(runOperation(t.services, refund, assistant, {}));
  assert.equal(err.status, 403);
  assert.equal(err.code, "forbidden");
  assert.equal(err.messageKey, "error.owner_only");
  assert.equal(await runOperation(t.services, refund, owner, {}), "refunded");
  assert.equal(await runOperation(t.services, refund, systemActor("cli"), {}), "refunded");
  assert.equal((await rejects(runOperation(t.services, refund, anonymousActor, {}))).status, 401);
  assert.equal((await rejects(runOperation(t.services, refund, memberActor(memberId), {}))).status, 401);
});

test("authorize: a member may act on their own data only", async () => {
  assert.equal(await runOperation(t.services, ownNote, memberActor(memberId), { memberId }), "ok");
  const err = await rejects(runOperation(t.services, ownNote, memberActor("someone-else"), { memberId }));
  assert.equal(err.status, 403);
  assert.equal((await rejects(runOperation(t.services, ownNote, anonymousActor, { memberId }))).status, 401);
});

test("record() refuses a payload that does not match the declaration", async () => {
  await assert.rejects(
    // @ts-expect-error amount must be an integer number: this line must not type-check.
    record(t.services.db, noteAdded, { note: "x", amount: "12" }, { memberId, actor: "system" }),
  );
  // @ts-expect-error an unknown field is a type error too.
  void (() => record(t.services.db, noteAdded, { note: "x", amount: 1, extra: 1 }, { memberId, actor: "system" }));
  const undeclared = { ...noteAdded, type: "test.undeclared" as const };
  await assert.rejects(
    record(t.services.db, undeclared, noteAdded.example, { memberId, actor: "system" }),
    /not declared/,
  );
});

const withSideEffect = defineOperation({
  name: "test.side_effect",
  input: z.object({ key: field.text(40), fail: field.checkbox() }),
  roles: anyStaff,
  async run({ trx, input, clock, afterCommit, services }) {
    await trx.insertInto("settings").values({ key: input.key, value: "{}", updated_at: clock.nowIso() }).execute();
    afterCommit(async () => {
      // Another connection (here the pool itself) sees the committed row, as a provider's webhook would.
      const row = await services.db.selectFrom("settings").select("key").where("key", "=", input.key).execute();
      seen.push(`${input.key}:${row.length}`);
    });
    afterCommit(() => seen.push(`${input.key}:second`));
    if (input.fail) throw new AppError("conflict", 409);
    return "done";
  },
});
const seen: string[] = [];

test("afterCommit steps run once the transaction committed, in order, and never after a rollback", async () => {
  assert.equal(await runOperation(t.services, withSideEffect, owner, { key: "after:ok" }), "done");
  assert.deepEqual(seen, ["after:ok:1", "after:ok:second"]);
  await rejects(runOperation(t.services, withSideEffect, owner, { key: "after:rolled", fail: "on" }));
  assert.deepEqual(seen, ["after:ok:1", "after:ok:second"], "a rolled-back operation runs no side effect");
  // Joining a caller's transaction hands the steps to the caller.
  const steps: (() => unknown)[] = [];
  await transaction(t.services.db, (trx) =>
    runOperation(
      t.services,
      withSideEffect,
      owner,
      { key: "after:joined" },
      { trx, afterCommit: (f) => steps.push(f) },
    ),
  );
  assert.equal(steps.length, 2);
  assert.deepEqual(seen.length, 2, "nothing ran inside the caller's transaction");
});
