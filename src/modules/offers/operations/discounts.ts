import { z } from "zod";
import { discountSaved } from "../events-admin.ts";
import { isUniqueViolation } from "../../../platform/db/index.ts";
import { AppError, notFound } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import { anyStaff, defineOperation } from "../../../platform/operations.ts";
import { parseAmount } from "../money.ts";
import { formOne, idField, priceCurrencies } from "./schemas.ts";

/** Discount codes: created and switched on or off by any staff member. */

const dateField = (name: string) =>
  formOne.transform((v, ctx) => {
    const s = v.trim();
    if (!s) return null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s))) {
      ctx.addIssue({ code: "custom", path: [], message: "offers.admin.bad_date" });
      return z.NEVER;
    }
    void name;
    return s;
  });

export const createDiscount = defineOperation({
  name: "offers.create_discount",
  input: z
    .object({
      code: formOne
        .transform((s) => s.trim().toUpperCase())
        .pipe(z.string().regex(/^[A-Z0-9_-]{2,40}$/, "offers.admin.err_code")),
      kind: formOne.transform((k) => (k === "amount" ? ("amount" as const) : ("percent" as const))),
      currency: z.preprocess((v) => v || "EUR", z.enum(priceCurrencies, "offers.admin.err_currency")),
      value: formOne,
      max: formOne.transform((v, ctx) => {
        if (!v.trim()) return null;
        const n = /^\d{1,7}$/.test(v.trim()) ? Number(v.trim()) : NaN;
        if (!Number.isInteger(n) || n < 1) {
          ctx.addIssue({ code: "custom", message: "offers.admin.err_value" });
          return z.NEVER;
        }
        return n;
      }),
      starts: dateField("starts"),
      ends: dateField("ends"),
      offers: z.preprocess(
        (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.string().regex(/^[0-9a-f-]{36}$/, "validation.invalid")).max(500, "validation.invalid"),
      ),
    })
    .transform((v, ctx) => {
      const value =
        v.kind === "percent"
          ? /^\d{1,3}$/.test(v.value.trim())
            ? Number(v.value.trim())
            : null
          : parseAmount(v.value, v.currency);
      if (value === null || !Number.isInteger(value) || value <= 0 || (v.kind === "percent" && value > 100)) {
        ctx.addIssue({ code: "custom", path: ["value"], message: "offers.admin.err_value" });
        return z.NEVER;
      }
      return { ...v, value };
    }),
  roles: anyStaff,
  async run({ trx, input, clock, record }) {
    const at = clock.nowIso();
    const id = newId();
    const taken = await trx.selectFrom("discount_codes").select("id").where("code", "=", input.code).executeTakeFirst();
    const takenError = () =>
      new AppError("invalid_input", 422, "offers.admin.err_code_taken", {
        code: { key: "offers.admin.err_code_taken" },
      });
    if (taken) throw takenError();
    try {
      await trx
        .insertInto("discount_codes")
        .values({
          id,
          code: input.code,
          kind: input.kind,
          value: input.value,
          currency: input.kind === "amount" ? input.currency : null,
          offer_ids: JSON.stringify(input.offers),
          starts_at: input.starts ? `${input.starts}T00:00:00.000Z` : null,
          ends_at: input.ends ? `${input.ends}T23:59:59.000Z` : null,
          max_redemptions: input.max,
          redemptions_count: 0,
          active: 1,
          created_at: at,
          updated_at: at,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw takenError();
      throw err;
    }
    await record(discountSaved, { discountId: id, code: input.code, created: true, active: true }, { memberId: null });
    return { code: input.code };
  },
});

export const toggleDiscount = defineOperation({
  name: "offers.toggle_discount",
  input: z.object({ id: idField() }),
  roles: anyStaff,
  async run({ trx, input, clock, record }) {
    const d = await trx
      .selectFrom("discount_codes")
      .select(["id", "code", "active"])
      .where("id", "=", input.id)
      .executeTakeFirst();
    if (!d) throw notFound();
    await trx
      .updateTable("discount_codes")
      .set({ active: d.active ? 0 : 1, updated_at: clock.nowIso() })
      .where("id", "=", d.id)
      .execute();
    await record(
      discountSaved,
      { discountId: d.id, code: d.code, created: false, active: !d.active },
      { memberId: null },
    );
    return { id: d.id };
  },
});
