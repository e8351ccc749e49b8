import { z } from "zod";
import type { Db } from "../../../platform/db/index.ts";
import { isUniqueViolation } from "../../../platform/db/index.ts";
import { AppError, notFound } from "../../../platform/http/errors.ts";
import { field } from "../../../platform/http/validation.ts";
import { newId } from "../../../platform/ids.ts";
import { renderMarkdown } from "../../../platform/markdown.ts";
import { offerTermsChanged } from "../../access/index.ts";
import { anyStaff, defineOperation, type OperationContext } from "../../../platform/operations.ts";
import type { Clock } from "../../../platform/time.ts";
import { offerSaved, type OfferChange } from "../events-admin.ts";
import { requestStripeSync } from "../stripe-sync.ts";
import { instalmentsOf, type OfferRow, type OfferStatus, type PriceInput } from "../service.ts";
import {
  DESCRIPTION_MAX,
  HIGHLIGHT_MAX,
  SUMMARY_MAX,
  formOne,
  idField,
  includesField,
  includesLinesField,
  offerHead,
  priceFields,
  readPrice,
  withSlug,
} from "./schemas.ts";

/**
 * The offer editor's operations. Everything the editor's one form holds is
 * saved by `saveOffer` in one transaction (details, what it includes, a new
 * price, a price switched on or off, the status); the smaller operations
 * serve the older one-purpose forms and the CLI. The Stripe sync job is
 * queued after the commit, so it reads the saved rows.
 */

const slugTaken = () =>
  new AppError("conflict", 409, "offers.error.slug_taken", { slug: { key: "offers.error.slug_taken" } });

async function slugFree(trx: Db, slug: string, exceptId?: string): Promise<void> {
  let q = trx.selectFrom("offers").select("id").where("slug", "=", slug);
  if (exceptId) q = q.where("id", "!=", exceptId);
  if (await q.executeTakeFirst()) throw slugTaken();
}

async function offerOr404(trx: Db, id: string): Promise<OfferRow> {
  const offer = await trx.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirst();
  if (!offer) throw notFound();
  return offer;
}

/** The Stripe sync, once the rows are committed (the job reads them). */
function syncAfterCommit(ctx: OperationContext<unknown>, offerId: string): void {
  const { db, config } = ctx.services;
  ctx.afterCommit(() => requestStripeSync(db, config, offerId));
}

async function insertPrice(trx: Db, clock: Clock, offerId: string, p: PriceInput): Promise<string> {
  const at = clock.nowIso();
  const count = await trx
    .selectFrom("prices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("offer_id", "=", offerId)
    .executeTakeFirstOrThrow();
  const pwyw = !!p.payWhatYouWant;
  const id = newId();
  await trx
    .insertInto("prices")
    .values({
      id,
      offer_id: offerId,
      kind: p.kind,
      interval: p.kind === "recurring" ? (p.interval ?? "month") : null,
      amount: p.amount,
      currency: p.currency.toUpperCase(),
      pay_what_you_want: pwyw ? 1 : 0,
      min_amount: pwyw ? (p.minAmount ?? 0) : p.amount,
      suggested_amount: pwyw ? (p.suggestedAmount ?? p.amount) : null,
      trial_days: p.kind === "recurring" && !p.instalments ? (p.trialDays ?? 0) : 0,
      instalments: instalmentsOf(p),
      active: 1,
      position: Number(count.n),
      provider_price_id: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

async function togglePrice(trx: Db, clock: Clock, offerId: string, priceId: string): Promise<void> {
  const p = await trx
    .selectFrom("prices")
    .select(["id", "active"])
    .where("id", "=", priceId)
    .where("offer_id", "=", offerId)
    .executeTakeFirst();
  if (!p) throw notFound();
  await trx
    .updateTable("prices")
    .set({ active: p.active === 1 ? 0 : 1, updated_at: clock.nowIso() })
    .where("id", "=", p.id)
    .execute();
}

/** Replaces what the offer gives; true when the set changed. */
async function writeIncludes(trx: Db, clock: Clock, offerId: string, includes: string[]): Promise<boolean> {
  const before = await trx
    .selectFrom("offer_includes")
    .select(["resource_kind", "resource_id"])
    .where("offer_id", "=", offerId)
    .execute();
  const was = new Set(before.map((r) => `${r.resource_kind}:${r.resource_id}`));
  const next = new Set(includes);
  const changed = was.size !== next.size || [...next].some((l) => !was.has(l));
  await trx.deleteFrom("offer_includes").where("offer_id", "=", offerId).execute();
  // Every process drops its copy of the offers' includes (access/includes-cache.ts).
  if (changed) await offerTermsChanged(trx);
  for (const line of new Set(includes)) {
    const [kind, ...rest] = line.split(":");
    await trx
      .insertInto("offer_includes")
      .values({
        id: newId(),
        offer_id: offerId,
        resource_kind: kind!,
        resource_id: rest.join(":"),
        created_at: clock.nowIso(),
      })
      .execute();
  }
  return changed;
}

/** The audit-trail event of an offer edit (no member: it is the catalogue that changed). */
async function recordSaved(
  ctx: OperationContext<unknown>,
  offer: { id: string; name: string },
  changes: OfferChange[],
  extra: { created?: boolean; status?: OfferStatus; price?: PriceInput } = {},
): Promise<void> {
  const { price } = extra;
  await ctx.record(
    offerSaved,
    {
      offerId: offer.id,
      offerName: offer.name,
      created: extra.created ?? false,
      changes,
      ...(extra.status ? { status: extra.status } : {}),
      ...(price
        ? {
            price: {
              amount: price.amount,
              currency: price.currency.toUpperCase(),
              interval: price.kind === "recurring" ? (price.interval ?? "month") : null,
            },
          }
        : {}),
    },
    { memberId: null },
  );
}

export const createOffer = defineOperation({
  name: "offers.create",
  input: z.object(offerHead).transform(withSlug),
  roles: anyStaff,
  async run(ctx) {
    const { trx, input, clock } = ctx;
    await slugFree(trx, input.slug);
    const at = clock.nowIso();
    const id = newId();
    try {
      await trx
        .insertInto("offers")
        .values({
          id,
          slug: input.slug,
          kind: input.kind,
          name: input.name,
          summary: "",
          description_md: "",
          description_html: "",
          status: "draft",
          position: 0,
          highlight: 0,
          highlight_label: "",
          provider_product_id: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw slugTaken();
      throw err;
    }
    await recordSaved(ctx, { id, name: input.name }, [], { created: true });
    return { id, slug: input.slug };
  },
});

const statuses = ["draft", "published", "archived"] as const;

/** The editor's one form: details, includes, an optional new price, an optional toggle and status. */
export const saveOfferInput = z
  .object({
    id: idField(),
    ...offerHead,
    summary: z.preprocess((v) => v ?? "", field.text(SUMMARY_MAX, { optional: true })),
    description: z.preprocess((v) => v ?? "", field.longText(DESCRIPTION_MAX, { optional: true })),
    position: formOne.transform((s, ctx) => {
      if (!s.trim()) return 0;
      if (!/^-?\d{1,6}$/.test(s.trim())) {
        ctx.addIssue({ code: "custom", message: "validation.invalid" });
        return z.NEVER;
      }
      return Number(s.trim());
    }),
    highlight: field.checkbox(),
    highlight_label: z.preprocess((v) => v ?? "", field.text(HIGHLIGHT_MAX, { optional: true })),
    featured_home: field.checkbox(),
    includes: includesField(),
    ...priceFields("price_"),
    /** Which button: "save", "add_price", "publish", "unpublish", "archive", "toggle:<price id>". */
    action: formOne,
  })
  .transform((v, ctx) => {
    const withS = withSlug(v, ctx);
    const price = readPrice(v, "price_", v.action === "add_price", ctx);
    const toggle = v.action.startsWith("toggle:") ? v.action.slice(7) : null;
    const status: OfferStatus | null =
      v.action === "publish"
        ? "published"
        : v.action === "unpublish"
          ? "draft"
          : v.action === "archive"
            ? "archived"
            : null;
    return { ...withS, price, toggle, status };
  });

export const saveOffer = defineOperation({
  name: "offers.save",
  input: saveOfferInput,
  roles: anyStaff,
  async run(ctx) {
    const { trx, input, clock } = ctx;
    const before = await offerOr404(trx, input.id);
    await slugFree(trx, input.slug, input.id);
    const highlightLabel = input.highlight ? input.highlight_label : "";
    const changes: OfferChange[] = [];
    if (before.name !== input.name) changes.push("name");
    if (before.slug !== input.slug) changes.push("slug");
    if (before.kind !== input.kind) changes.push("kind");
    if (before.summary !== input.summary) changes.push("summary");
    if (before.description_md !== input.description) changes.push("description");
    if (Number(before.position) !== input.position) changes.push("position");
    if (Number(before.highlight) !== (input.highlight ? 1 : 0) || before.highlight_label !== highlightLabel)
      changes.push("highlight");
    if (Number(before.featured_home) !== (input.featured_home ? 1 : 0)) changes.push("featured_home");
    if (input.status && input.status !== before.status) changes.push("status");
    try {
      await trx
        .updateTable("offers")
        .set({
          name: input.name,
          slug: input.slug,
          kind: input.kind,
          summary: input.summary,
          description_md: input.description,
          description_html: renderMarkdown(input.description),
          position: input.position,
          highlight: input.highlight ? 1 : 0,
          highlight_label: highlightLabel,
          featured_home: input.featured_home ? 1 : 0,
          ...(input.status ? { status: input.status } : {}),
          updated_at: clock.nowIso(),
        })
        .where("id", "=", input.id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw slugTaken();
      throw err;
    }
    if (await writeIncludes(trx, clock, input.id, input.includes)) changes.push("includes");
    if (input.price) {
      await insertPrice(trx, clock, input.id, input.price);
      changes.push("price_added");
    }
    if (input.toggle) {
      await togglePrice(trx, clock, input.id, input.toggle);
      changes.push("price_switched");
    }
    await recordSaved(ctx, { id: input.id, name: input.name }, changes, {
      ...(changes.includes("status") && input.status ? { status: input.status } : {}),
      ...(input.price ? { price: input.price } : {}),
    });
    syncAfterCommit(ctx, input.id);
    return { id: input.id };
  },
});

export const setOfferStatus = defineOperation({
  name: "offers.set_status",
  input: z.object({ id: idField(), status: z.enum(statuses, "validation.invalid") }),
  roles: anyStaff,
  async run(ctx) {
    const before = await offerOr404(ctx.trx, ctx.input.id);
    await ctx.trx
      .updateTable("offers")
      .set({ status: ctx.input.status, updated_at: ctx.clock.nowIso() })
      .where("id", "=", ctx.input.id)
      .execute();
    const changed = before.status !== ctx.input.status;
    await recordSaved(ctx, before, changed ? ["status"] : [], changed ? { status: ctx.input.status } : {});
    syncAfterCommit(ctx, ctx.input.id);
    return { id: ctx.input.id };
  },
});

export const addOfferPrice = defineOperation({
  name: "offers.add_price",
  input: z
    .object({ id: idField(), ...priceFields("") })
    .transform((v, ctx) => ({ id: v.id, price: readPrice(v, "", true, ctx)! })),
  roles: anyStaff,
  async run(ctx) {
    const offer = await offerOr404(ctx.trx, ctx.input.id);
    const priceId = await insertPrice(ctx.trx, ctx.clock, ctx.input.id, ctx.input.price);
    await recordSaved(ctx, offer, ["price_added"], { price: ctx.input.price });
    syncAfterCommit(ctx, ctx.input.id);
    return { id: ctx.input.id, priceId };
  },
});

export const toggleOfferPrice = defineOperation({
  name: "offers.toggle_price",
  input: z.object({ id: idField(), priceId: idField() }),
  roles: anyStaff,
  async run(ctx) {
    const offer = await offerOr404(ctx.trx, ctx.input.id);
    await togglePrice(ctx.trx, ctx.clock, ctx.input.id, ctx.input.priceId);
    await recordSaved(ctx, offer, ["price_switched"]);
    syncAfterCommit(ctx, ctx.input.id);
    return { id: ctx.input.id };
  },
});

/** The older includes form: one "kind:id" per line. */
export const setOfferIncludesLines = defineOperation({
  name: "offers.set_includes",
  input: z.object({
    id: idField(),
    includes: includesLinesField(),
  }),
  roles: anyStaff,
  async run(ctx) {
    const offer = await offerOr404(ctx.trx, ctx.input.id);
    const changed = await writeIncludes(ctx.trx, ctx.clock, ctx.input.id, ctx.input.includes);
    await recordSaved(ctx, offer, changed ? ["includes"] : []);
    return { id: ctx.input.id };
  },
});
