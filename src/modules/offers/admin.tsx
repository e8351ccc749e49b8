import type { Hono } from "hono";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { runOperation, type Operation } from "../../platform/operations.ts";
import { registerAdminNav } from "../../platform/views/admin-layout.tsx";
import { registerAsset } from "../../platform/views/assets.ts";
import { staffActorOf } from "../staff/index.ts";
import { registerIncludable } from "./includables.ts";
import { offerUpload, OFFER_UPLOAD_PATH, receiveOfferUpload, setOfferUploadLimit } from "./downloads.tsx";
import { getOffer, getOfferBySlug, offerIncludes, slugPattern } from "./service.ts";
import { offersList } from "./admin-list.tsx";
import { offerEditorPage, valuesFromForm, valuesFromOffer, type EditorValues } from "./admin-editor.tsx";
import { salesPage } from "./admin-sales.tsx";
import { discountsPage } from "./admin-discounts.tsx";
import { memberAccessPage } from "./admin-access.tsx";
import {
  addOfferPrice,
  cancelSubscription,
  createDiscount,
  createOffer,
  grantAccess,
  refundOrder,
  revokeAccess,
  saveOffer,
  setOfferIncludesLines,
  setOfferStatus,
  setPaymentSettings,
  slugify,
  toggleDiscount,
  toggleOfferPrice,
} from "./operations/index.ts";

/**
 * The creator's side: routes only. Every POST is one operation
 * (operations/), run as the logged-in staff member: the operation checks
 * the input (422 naming the field), the role (refunds, cancellations and
 * payment settings are the owner's) and writes in one transaction. A 422
 * re-renders the page with what was typed.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
registerAsset("offers-editor.js", path.join(here, "editor.js"), "text/javascript; charset=utf-8");

async function run<S extends z.ZodType, R, P>(c: AppContext, op: Operation<S, R, P>, input: unknown): Promise<P> {
  return runOperation(c.var.services, op, await staffActorOf(c), input);
}

/** A refused form (422, or 409 for a taken address) with its fields, or null for any other error. */
function refused(err: unknown): { errors: AppError["fields"]; status: 422 | 409 } | null {
  if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 409)) return null;
  const errors = Object.keys(err.fields).length ? err.fields : { _form: { key: err.messageKey, params: err.params } };
  return { errors, status: err.status };
}

async function editorValues(c: AppContext, id: string): Promise<EditorValues> {
  const offer = await getOffer(c.var.services.db, id);
  if (!offer) throw notFound();
  return valuesFromOffer(offer, await offerIncludes(c.var.services.db, id), c.var.site.currency);
}

const pricePart = (v: EditorValues): Partial<EditorValues> =>
  Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith("price_")));

export function adminRoutes(app: Hono<AppEnv>): void {
  registerAdminNav({ href: "/admin/offers", labelKey: "offers.admin.nav", order: 40 });
  registerAdminNav({ href: "/admin/sales", labelKey: "offers.admin.sales", order: 41 });
  registerIncludable({
    kind: "offer_file",
    labelKey: "offers.includable.files",
    allLabelKey: "offers.includable.all_files",
    order: 20,
    list: async (db) =>
      (
        await db
          .selectFrom("offer_files")
          .innerJoin("offers", "offers.id", "offer_files.offer_id")
          .select(["offer_files.id", "offer_files.name", "offers.name as offer"])
          .orderBy("offers.position")
          .orderBy("offer_files.position")
          .limit(500)
          .execute()
      ).map((f) => ({ id: f.id, title: `${f.name} (${f.offer})` })),
  });
  // Uploads stream to disk (platform/http/body.ts) with their own body limit.
  setOfferUploadLimit(offerUpload.maxBytes);

  app.get("/admin/offers", (c) => offersList(c));
  app.post("/admin/offers", async (c) => {
    const f = await readForm(c);
    try {
      const o = await run(c, createOffer, f);
      return c.redirect(`/admin/offers/${o.id}`, 303);
    } catch (err) {
      const r = refused(err);
      if (!r) throw err;
      const values = { name: formValue(f, "name"), slug: formValue(f, "slug"), kind: formValue(f, "kind") };
      return offersList(c, { values, ...r });
    }
  });
  // The editor's live check of the address (filled from the name, editable): free, taken, or not valid.
  app.get("/admin/offers/slug-check", async (c) => {
    const t = tr(c);
    const typed = (c.req.query("slug") ?? "").slice(0, 200);
    const slug = typed.trim() ? typed.trim().toLowerCase() : slugify(c.req.query("name") ?? "");
    if (!slugPattern.test(slug)) return c.json({ slug, ok: false, message: t("offers.admin.err_slug") });
    const other = await getOfferBySlug(c.var.services.db, slug);
    const taken = !!other && other.id !== c.req.query("offer");
    return c.json({
      slug,
      ok: !taken,
      message: taken ? t("offers.error.slug_taken") : t("offers.admin.slug_free", { path: `/offers/${slug}` }),
    });
  });
  app.get("/admin/offers/:id", (c) => offerEditorPage(c, c.req.param("id")));
  app.post("/admin/offers/:id", async (c) => {
    const id = c.req.param("id");
    const f = await readForm(c);
    try {
      await run(c, saveOffer, { ...f, id });
    } catch (err) {
      const r = refused(err);
      if (!r) throw err;
      return offerEditorPage(c, id, { values: valuesFromForm(f), ...r });
    }
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  // The one-purpose forms and API-like posts (also used by scripts and tests).
  app.post("/admin/offers/:id/status", async (c) => {
    const f = await readForm(c);
    await run(c, setOfferStatus, { id: c.req.param("id"), status: formValue(f, "status") });
    return c.redirect(`/admin/offers/${c.req.param("id")}`, 303);
  });
  app.post("/admin/offers/:id/prices", async (c) => {
    const id = c.req.param("id");
    const f = await readForm(c);
    try {
      await run(c, addOfferPrice, { ...f, id });
    } catch (err) {
      const r = refused(err);
      if (!r || !(await getOffer(c.var.services.db, id))) throw err;
      // Shown on the editor: the saved offer, with the price as typed in the editor's price fields.
      const typed = valuesFromForm(Object.fromEntries(Object.entries(f).map(([k, v]) => [`price_${k}`, v])));
      const prefixed = Object.fromEntries(
        Object.entries(r.errors).map(([k, v]) => [k === "_form" ? k : `price_${k}`, v]),
      );
      return offerEditorPage(c, id, {
        values: { ...(await editorValues(c, id)), ...pricePart(typed) },
        errors: prefixed,
        status: r.status,
      });
    }
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offers/:id/prices/:pid/toggle", async (c) => {
    await run(c, toggleOfferPrice, { id: c.req.param("id"), priceId: c.req.param("pid") });
    return c.redirect(`/admin/offers/${c.req.param("id")}`, 303);
  });
  app.post("/admin/offers/:id/includes", async (c) => {
    const id = c.req.param("id");
    const f = await readForm(c);
    try {
      await run(c, setOfferIncludesLines, { id, includes: formValue(f, "includes") });
    } catch (err) {
      const r = refused(err);
      if (!r || !(await getOffer(c.var.services.db, id))) throw err;
      return offerEditorPage(c, id, { values: await editorValues(c, id), ...r });
    }
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post(OFFER_UPLOAD_PATH, async (c) => {
    const id = c.req.query("offer") ?? "";
    if (!(await getOffer(c.var.services.db, id))) throw new AppError("not_found", 404);
    try {
      await receiveOfferUpload(c, id);
    } catch (err) {
      if (err instanceof AppError && (err.status === 422 || err.status === 413))
        return offerEditorPage(c, id, {
          values: await editorValues(c, id),
          errors: { _form: { key: err.messageKey, params: err.params } },
          status: err.status,
        });
      throw err;
    }
    return c.redirect(`/admin/offers/${id}`, 303);
  });
  app.post("/admin/offer-settings", async (c) => {
    await run(c, setPaymentSettings, await readForm(c));
    return c.redirect("/admin/offers", 303);
  });

  app.get("/admin/sales", (c) => salesPage(c));
  app.post("/admin/orders/:id/refund", async (c) => {
    await run(c, refundOrder, { id: c.req.param("id") });
    return c.redirect("/admin/sales", 303);
  });
  app.post("/admin/subscriptions/:id/cancel", async (c) => {
    const f = await readForm(c);
    await run(c, cancelSubscription, { id: c.req.param("id"), when: formValue(f, "when") });
    return c.redirect("/admin/sales", 303);
  });

  app.get("/admin/discounts", (c) => discountsPage(c));
  app.post("/admin/discounts", async (c) => {
    try {
      await run(c, createDiscount, await readForm(c));
    } catch (err) {
      const r = refused(err);
      if (!r) throw err;
      return discountsPage(c, r.errors);
    }
    return c.redirect("/admin/discounts", 303);
  });
  app.post("/admin/discounts/:id/toggle", async (c) => {
    await run(c, toggleDiscount, { id: c.req.param("id") });
    return c.redirect("/admin/discounts", 303);
  });

  app.get("/admin/members/:id/access", (c) => memberAccessPage(c, c.req.param("id")));
  app.post("/admin/members/:id/access", async (c) => {
    const memberId = c.req.param("id");
    try {
      await run(c, grantAccess, { ...(await readForm(c)), memberId });
    } catch (err) {
      const r = refused(err);
      if (!r) throw err;
      return memberAccessPage(c, memberId, r.errors);
    }
    return c.redirect(`/admin/members/${memberId}/access`, 303);
  });
  app.post("/admin/members/:id/access/:eid/revoke", async (c) => {
    const memberId = c.req.param("id");
    await run(c, revokeAccess, { memberId, entitlementId: c.req.param("eid") });
    return c.redirect(`/admin/members/${memberId}/access`, 303);
  });
}
