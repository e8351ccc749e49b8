import { z } from "zod";
import { defineEvent } from "../../platform/events/index.ts";

/**
 * The coaching module's event types. Payloads carry the session's title and
 * times as they were, so a timeline still reads right after a rename.
 */

const session = { bookingId: z.string(), title: z.string(), startsAt: z.string() };
const ex = {
  bookingId: "0190a000-0000-7000-8000-000000000020",
  title: "Séance de mentorat",
  startsAt: "2026-03-30T07:00:00.000Z",
};

export const sessionBooked = defineEvent({
  type: "coaching.session_booked",
  version: 1,
  payload: z.object({ ...session, pendingPayment: z.boolean() }),
  example: { ...ex, pendingPayment: false },
  timeline: {
    fr: (p, f) =>
      `A réservé « ${p.title} » le ${f.dateTime(p.startsAt)}${p.pendingPayment ? " (paiement en attente)" : ""}`,
    en: (p, f) => `Booked “${p.title}” on ${f.dateTime(p.startsAt)}${p.pendingPayment ? " (awaiting payment)" : ""}`,
  },
});

export const sessionConfirmed = defineEvent({
  type: "coaching.session_confirmed",
  version: 1,
  payload: z.object(session),
  example: ex,
  timeline: {
    fr: (p, f) => `Paiement reçu : « ${p.title} » est confirmée le ${f.dateTime(p.startsAt)}`,
    en: (p, f) => `Payment received: “${p.title}” is confirmed on ${f.dateTime(p.startsAt)}`,
  },
});

export const sessionRescheduled = defineEvent({
  type: "coaching.session_rescheduled",
  version: 1,
  payload: z.object({ ...session, previousStartsAt: z.string() }),
  example: { ...ex, previousStartsAt: "2026-03-27T08:00:00.000Z" },
  timeline: {
    fr: (p, f) => `A déplacé « ${p.title} » du ${f.dateTime(p.previousStartsAt)} au ${f.dateTime(p.startsAt)}`,
    en: (p, f) => `Moved “${p.title}” from ${f.dateTime(p.previousStartsAt)} to ${f.dateTime(p.startsAt)}`,
  },
});

export const sessionCancelled = defineEvent({
  type: "coaching.session_cancelled",
  version: 1,
  payload: z.object({ ...session, creditReturned: z.boolean(), by: z.enum(["client", "creator"]) }),
  example: { ...ex, creditReturned: true, by: "client" },
  timeline: {
    fr: (p, f) =>
      `${p.by === "client" ? "A annulé" : "Séance annulée par l’atelier :"} « ${p.title} » du ${f.dateTime(p.startsAt)}${p.creditReturned ? " (séance rendue)" : ""}`,
    en: (p, f) =>
      `${p.by === "client" ? "Cancelled" : "Session cancelled by the creator:"} “${p.title}” on ${f.dateTime(p.startsAt)}${p.creditReturned ? " (session given back)" : ""}`,
  },
});

export const holdExpired = defineEvent({
  type: "coaching.hold_expired",
  version: 1,
  payload: z.object(session),
  example: ex,
  timeline: {
    fr: (p, f) => `Créneau du ${f.dateTime(p.startsAt)} libéré : paiement non reçu à temps`,
    en: (p, f) => `Slot on ${f.dateTime(p.startsAt)} released: payment not received in time`,
  },
});

export const slotLost = defineEvent({
  type: "coaching.slot_lost",
  version: 1,
  payload: z.object({ ...session, credited: z.boolean() }),
  example: { ...ex, credited: true },
  timeline: {
    fr: (p, f) =>
      `Paiement arrivé après la libération du créneau du ${f.dateTime(p.startsAt)}, déjà repris : la séance est gardée en crédit`,
    en: (p, f) =>
      `Payment arrived after the slot on ${f.dateTime(p.startsAt)} was released and taken: the session is kept as a credit`,
  },
});

export const latePaymentRefunded = defineEvent({
  type: "coaching.late_payment_refunded",
  version: 1,
  payload: z.object(session),
  example: ex,
  timeline: {
    fr: (p, f) => `Remboursement demandé du paiement arrivé trop tard pour le créneau du ${f.dateTime(p.startsAt)}`,
    en: (p, f) => `Refund requested for the payment that came too late for the slot on ${f.dateTime(p.startsAt)}`,
  },
});

export const creditsGranted = defineEvent({
  type: "coaching.credits_granted",
  version: 1,
  payload: z.object({
    coachingOfferId: z.string(),
    title: z.string(),
    count: z.number().int(),
    expiresAt: z.string().nullable(),
  }),
  example: {
    coachingOfferId: "0190a000-0000-7000-8000-000000000021",
    title: "Parcours 5 séances",
    count: 5,
    expiresAt: "2026-09-30T07:00:00.000Z",
  },
  timeline: {
    fr: (p, f) =>
      `A reçu ${p.count} ${p.count > 1 ? "séances" : "séance"} de « ${p.title} »${p.expiresAt ? `, valables jusqu’au ${f.date(p.expiresAt)}` : ""}`,
    en: (p, f) =>
      `Received ${p.count} ${p.count === 1 ? "session" : "sessions"} of “${p.title}”${p.expiresAt ? `, valid until ${f.date(p.expiresAt)}` : ""}`,
  },
});

/** Unused sessions taken back because the order that granted them was refunded (in part: its share). */
export const creditsRevoked = defineEvent({
  type: "coaching.credits_revoked",
  version: 1,
  payload: z.object({
    coachingOfferId: z.string(),
    title: z.string(),
    count: z.number().int(),
    left: z.number().int(),
    full: z.boolean(),
  }),
  example: {
    coachingOfferId: "0190a000-0000-7000-8000-000000000021",
    title: "Parcours 5 séances",
    count: 2,
    left: 2,
    full: false,
  },
  timeline: {
    fr: (p) =>
      `${p.count} ${p.count > 1 ? "séances retirées" : "séance retirée"} de « ${p.title} » après un remboursement${p.full ? "" : " partiel"} (${p.left} ${p.left > 1 ? "restantes" : "restante"})`,
    en: (p) =>
      `${p.count} ${p.count === 1 ? "session" : "sessions"} of “${p.title}” taken back after a${p.full ? "" : " partial"} refund (${p.left} left)`,
  },
});

export const sessionNoShow = defineEvent({
  type: "coaching.session_no_show",
  version: 1,
  payload: z.object(session),
  example: ex,
  timeline: {
    fr: (p, f) => `Absent·e à « ${p.title} » du ${f.dateTime(p.startsAt)}`,
    en: (p, f) => `Did not come to “${p.title}” on ${f.dateTime(p.startsAt)}`,
  },
});

export const summaryShared = defineEvent({
  type: "coaching.summary_shared",
  version: 1,
  payload: z.object(session),
  example: ex,
  timeline: {
    fr: (p) => `Compte rendu partagé pour « ${p.title} »`,
    en: (p) => `Summary shared for “${p.title}”`,
  },
});

export const coachingEvents = [
  sessionBooked,
  sessionConfirmed,
  sessionRescheduled,
  sessionCancelled,
  holdExpired,
  slotLost,
  latePaymentRefunded,
  creditsGranted,
  creditsRevoked,
  sessionNoShow,
  summaryShared,
];

export const applicationSent = defineEvent({
  type: "coaching.application_sent",
  version: 1,
  payload: z.object({ applicationId: z.string(), title: z.string() }),
  example: { applicationId: "0190a000-0000-7000-8000-000000000022", title: "Parcours 5 séances" },
  timeline: {
    fr: (p) => `A envoyé une candidature pour « ${p.title} »`,
    en: (p) => `Applied for “${p.title}”`,
  },
});

export const applicationDecided = defineEvent({
  type: "coaching.application_decided",
  version: 1,
  payload: z.object({ applicationId: z.string(), title: z.string(), accepted: z.boolean() }),
  example: { applicationId: "0190a000-0000-7000-8000-000000000022", title: "Parcours 5 séances", accepted: true },
  timeline: {
    fr: (p) => `Candidature pour « ${p.title} » ${p.accepted ? "acceptée" : "déclinée"}`,
    en: (p) => `Application for “${p.title}” ${p.accepted ? "accepted" : "declined"}`,
  },
});
