import { z } from "zod";
import { defineEvent, type TimelineFormat } from "../../platform/events/index.ts";
import { quoted } from "./events.ts";

/* ---------- the catalogue's audit trail (staff actions, no member) ---------- */

/**
 * What staff do to the catalogue (not to a member): recorded with no member,
 * so they form the site's audit trail (the dashboard's recent activity) and
 * say what changed, in words: « Offre « Le Cercle » modifiée : nom, prix ajouté (19,00 € / mois) ».
 */

/** The parts of an offer an edit can change, as the editor names them. */
export const offerChanges = [
  "name",
  "slug",
  "kind",
  "summary",
  "description",
  "position",
  "highlight",
  "featured_home",
  "status",
  "includes",
  "price_added",
  "price_switched",
] as const;
export type OfferChange = (typeof offerChanges)[number];

const changeWords: Record<OfferChange, { fr: string; en: string }> = {
  name: { fr: "nom", en: "name" },
  slug: { fr: "adresse", en: "address" },
  kind: { fr: "type", en: "type" },
  summary: { fr: "résumé", en: "summary" },
  description: { fr: "description", en: "description" },
  position: { fr: "ordre", en: "order" },
  highlight: { fr: "mise en avant", en: "highlight" },
  featured_home: { fr: "page d’accueil", en: "home page" },
  status: { fr: "statut", en: "status" },
  includes: { fr: "ce qu’elle donne", en: "what it gives" },
  price_added: { fr: "prix ajouté", en: "price added" },
  price_switched: { fr: "prix activé ou désactivé", en: "price switched on or off" },
};

const statusWords = {
  draft: { fr: "brouillon", en: "draft" },
  published: { fr: "publiée", en: "published" },
  archived: { fr: "archivée", en: "archived" },
} as const;

const priceSchema = z.object({
  amount: z.number().int(),
  currency: z.string(),
  interval: z.enum(["month", "year"]).nullable(),
});

function changeList(p: OfferSavedPayload, f: TimelineFormat, lang: "fr" | "en"): string {
  const words = p.changes.map((c) => {
    if (c === "status" && p.status) return `${changeWords.status[lang]} → ${statusWords[p.status][lang]}`;
    if (c === "price_added" && p.price) {
      const per = p.price.interval
        ? lang === "fr"
          ? p.price.interval === "month"
            ? " / mois"
            : " / an"
          : p.price.interval === "month"
            ? " / month"
            : " / year"
        : "";
      return `${changeWords.price_added[lang]} (${f.money(p.price.amount, p.price.currency)}${per})`;
    }
    return changeWords[c][lang];
  });
  return f.list(words);
}

const offerSavedSchema = z.object({
  offerId: z.string(),
  offerName: z.string(),
  created: z.boolean(),
  /** What this save changed (empty: saved as it was). */
  changes: z.array(z.enum(offerChanges)),
  /** The new status, when it changed. */
  status: z.enum(["draft", "published", "archived"]).optional(),
  /** The price added, when one was. */
  price: priceSchema.optional(),
});
type OfferSavedPayload = z.output<typeof offerSavedSchema>;

export const offerSaved = defineEvent({
  type: "offer.saved",
  version: 1,
  payload: offerSavedSchema,
  example: {
    offerId: "0190a000-0000-7000-8000-000000000011",
    offerName: "Le Cercle",
    created: false,
    changes: ["name", "price_added"],
    price: { amount: 1900, currency: "EUR", interval: "month" },
  },
  timeline: {
    fr: (p, f) =>
      p.created
        ? `Offre ${quoted(p.offerName, true)} créée`
        : p.changes.length
          ? `Offre ${quoted(p.offerName, true)} modifiée : ${changeList(p, f, "fr")}`
          : `Offre ${quoted(p.offerName, true)} enregistrée sans changement`,
    en: (p, f) =>
      p.created
        ? `Offer ${quoted(p.offerName, false)} created`
        : p.changes.length
          ? `Offer ${quoted(p.offerName, false)} edited: ${changeList(p, f, "en")}`
          : `Offer ${quoted(p.offerName, false)} saved unchanged`,
  },
});

export const discountSaved = defineEvent({
  type: "discount.saved",
  version: 1,
  payload: z.object({ discountId: z.string(), code: z.string(), created: z.boolean(), active: z.boolean() }),
  example: { discountId: "0190a000-0000-7000-8000-000000000012", code: "PRINTEMPS", created: true, active: true },
  timeline: {
    fr: (p) =>
      p.created
        ? `Code de réduction ${p.code} créé`
        : `Code de réduction ${p.code} ${p.active ? "réactivé" : "désactivé"}`,
    en: (p) =>
      p.created ? `Discount code ${p.code} created` : `Discount code ${p.code} switched ${p.active ? "on" : "off"}`,
  },
});

export const paymentSettingsChanged = defineEvent({
  type: "payments.settings_changed",
  version: 1,
  payload: z.object({ automaticTax: z.boolean() }),
  example: { automaticTax: true },
  timeline: {
    fr: (p) => `Calcul automatique de la TVA ${p.automaticTax ? "activé" : "désactivé"}`,
    en: (p) => `Automatic tax ${p.automaticTax ? "switched on" : "switched off"}`,
  },
});

export const offersAdminEvents = [offerSaved, discountSaved, paymentSettingsChanged] as const;
