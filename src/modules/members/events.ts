import { z } from "zod";
import { defineEvent, type TimelineFormat } from "../../platform/events/index.ts";

/**
 * The members module's event types: what happens to a person's membership,
 * profile and consent. Each reads as a line of the member's timeline.
 */

const fieldsPayload = z.object({
  fields: z.array(z.string()),
  added: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
});

function fieldNames(fields: readonly string[], fmt: TimelineFormat): string {
  return fmt.list(
    fields.map((f) => {
      const key = `members.admin.field.${f}`;
      const label = fmt.t(key);
      return label === key ? f : label.toLowerCase();
    }),
  );
}

function fieldsDetail(p: z.output<typeof fieldsPayload>, fmt: TimelineFormat, fr: boolean): string {
  const parts: string[] = [];
  if (p.added?.length) parts.push(`${fr ? "étiquettes ajoutées" : "tags added"} : ${fmt.list(p.added)}`);
  if (p.removed?.length) parts.push(`${fr ? "étiquettes retirées" : "tags removed"} : ${fmt.list(p.removed)}`);
  if (!parts.length && p.fields.length) parts.push(fieldNames(p.fields, fmt));
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}

export const memberJoined = defineEvent({
  type: "member.joined",
  version: 1,
  payload: z.object({
    source: z.string(),
    status: z.string(),
    emailOptIn: z.boolean(),
    locale: z.string(),
  }),
  example: { source: "signup", status: "pending", emailOptIn: true, locale: "fr" },
  timeline: {
    fr: (p) => `A rejoint le site${p.emailOptIn ? " · inscrit·e à la lettre" : ""}`,
    en: (p) => `Joined the site${p.emailOptIn ? " · subscribed to the newsletter" : ""}`,
  },
});

export const memberConfirmed = defineEvent({
  type: "member.confirmed",
  version: 1,
  payload: z.object({ via: z.string().optional() }),
  example: { via: "confirm" },
  timeline: { fr: () => "A confirmé son adresse e-mail", en: () => "Confirmed their email address" },
});

export const memberLoggedIn = defineEvent({
  type: "member.logged_in",
  version: 1,
  payload: z.object({ method: z.string(), activated: z.boolean().optional() }),
  example: { method: "magic_link" },
  timeline: {
    fr: (p) => `S’est connecté·e${p.activated ? " (adresse confirmée)" : ""}`,
    en: (p) => `Logged in${p.activated ? " (address confirmed)" : ""}`,
  },
});

export const memberLoggedOut = defineEvent({
  type: "member.logged_out",
  version: 1,
  payload: z.object({}),
  example: {},
  timeline: { fr: () => "S’est déconnecté·e", en: () => "Logged out" },
});

export const memberPreferencesChanged = defineEvent({
  type: "member.preferences_changed",
  version: 1,
  payload: fieldsPayload,
  example: { fields: ["locale", "timeZone"] },
  timeline: {
    fr: (p, fmt) => `A modifié ses préférences${fieldsDetail(p, fmt, true)}`,
    en: (p, fmt) => `Changed their preferences${fieldsDetail(p, fmt, false)}`,
  },
});

export const memberUpdated = defineEvent({
  type: "member.updated",
  version: 1,
  payload: fieldsPayload,
  example: { fields: ["tags"], added: ["atelier-mai"], removed: [] },
  timeline: {
    fr: (p, fmt) => `Fiche modifiée${fieldsDetail(p, fmt, true)}`,
    en: (p, fmt) => `Profile edited${fieldsDetail(p, fmt, false)}`,
  },
});

export const memberAddedByStaff = defineEvent({
  type: "member.added_by_staff",
  version: 1,
  payload: z.object({ staffId: z.string() }),
  example: { staffId: "0190a000-0000-7000-8000-000000000001" },
  timeline: { fr: () => "Ajouté·e par l’équipe", en: () => "Added by the team" },
});

export const memberDeleted = defineEvent({
  type: "member.deleted",
  version: 1,
  payload: z.object({ source: z.string(), status: z.string() }),
  example: { source: "signup", status: "active" },
  timeline: { fr: () => "Compte supprimé", en: () => "Account deleted" },
});

export const memberExportedData = defineEvent({
  type: "member.exported_data",
  version: 1,
  payload: z.object({}),
  example: {},
  timeline: { fr: () => "A téléchargé ses données", en: () => "Downloaded their data" },
});

const consentPayload = z.object({ kind: z.literal("newsletter"), via: z.string().optional() });

export const consentGranted = defineEvent({
  type: "consent.granted",
  version: 1,
  payload: consentPayload,
  example: { kind: "newsletter", via: "double_opt_in" },
  timeline: {
    fr: (p) => `A accepté de recevoir la lettre${p.via === "double_opt_in" ? " (double confirmation)" : ""}`,
    en: (p) => `Agreed to receive the newsletter${p.via === "double_opt_in" ? " (double opt-in)" : ""}`,
  },
});

export const consentWithdrawn = defineEvent({
  type: "consent.withdrawn",
  version: 1,
  payload: consentPayload,
  example: { kind: "newsletter" },
  timeline: {
    fr: () => "A retiré son accord pour la lettre",
    en: () => "Withdrew consent to the newsletter",
  },
});

export const membersEvents = [
  memberJoined,
  memberConfirmed,
  memberLoggedIn,
  memberLoggedOut,
  memberPreferencesChanged,
  memberUpdated,
  memberAddedByStaff,
  memberDeleted,
  memberExportedData,
  consentGranted,
  consentWithdrawn,
] as const;
