import { z } from "zod";
import { defineEvent } from "../../platform/events/index.ts";

/** The publishing module's event types: comments, and what the mail provider told us about an address. */

export const postCommented = defineEvent({
  type: "post.commented",
  version: 1,
  payload: z.object({ postId: z.string(), commentId: z.string(), postTitle: z.string().optional() }),
  example: {
    postId: "0190a000-0000-7000-8000-000000000002",
    commentId: "0190a000-0000-7000-8000-000000000003",
    postTitle: "Tourner un bol",
  },
  timeline: {
    fr: (p) => (p.postTitle ? `A commenté « ${p.postTitle} »` : "A commenté un article"),
    en: (p) => (p.postTitle ? `Commented on “${p.postTitle}”` : "Commented on a post"),
  },
});

export const commentsBlocked = defineEvent({
  type: "comments.blocked",
  version: 1,
  payload: z.object({}),
  example: {},
  timeline: { fr: () => "Bloqué·e pour les commentaires", en: () => "Blocked from commenting" },
});

export const commentsUnblocked = defineEvent({
  type: "comments.unblocked",
  version: 1,
  payload: z.object({}),
  example: {},
  timeline: { fr: () => "Débloqué·e pour les commentaires", en: () => "Unblocked for comments" },
});

export const emailBounced = defineEvent({
  type: "email.bounced",
  version: 1,
  payload: z.object({ provider: z.string(), type: z.string().optional() }),
  example: { provider: "postmark", type: "HardBounce" },
  timeline: {
    fr: () => "Adresse e-mail en échec (rebond) : les envois sont arrêtés",
    en: () => "Email address bounced: sending stopped",
  },
});

export const emailComplained = defineEvent({
  type: "email.complained",
  version: 1,
  payload: z.object({ provider: z.string() }),
  example: { provider: "postmark" },
  timeline: {
    fr: () => "A signalé un e-mail comme indésirable : désinscrit·e",
    en: () => "Reported an email as spam: unsubscribed",
  },
});

/* ---------- staff actions (the audit trail; no member unless one is concerned) ---------- */

const q = (title: string, fr: boolean) => (fr ? `« ${title} »` : `“${title}”`);

export const postSaved = defineEvent({
  type: "post.saved",
  version: 1,
  payload: z.object({
    postId: z.string(),
    title: z.string(),
    created: z.boolean(),
    action: z.enum(["save", "publish", "unpublish"]),
    status: z.enum(["draft", "scheduled", "published"]),
  }),
  example: {
    postId: "0190a000-0000-7000-8000-000000000002",
    title: "Tourner un bol",
    created: false,
    action: "publish",
    status: "published",
  },
  timeline: {
    fr: (p) =>
      `Article ${q(p.title, true)} ${
        p.action === "unpublish"
          ? "dépublié"
          : p.action === "publish"
            ? p.status === "scheduled"
              ? "programmé"
              : "publié"
            : p.created
              ? "créé"
              : "enregistré"
      }`,
    en: (p) =>
      `Post ${q(p.title, false)} ${
        p.action === "unpublish"
          ? "unpublished"
          : p.action === "publish"
            ? p.status === "scheduled"
              ? "scheduled"
              : "published"
            : p.created
              ? "created"
              : "saved"
      }`,
  },
});

export const postDeleted = defineEvent({
  type: "post.deleted",
  version: 1,
  payload: z.object({ postId: z.string(), title: z.string() }),
  example: { postId: "0190a000-0000-7000-8000-000000000002", title: "Tourner un bol" },
  timeline: {
    fr: (p) => `Article ${q(p.title, true)} supprimé`,
    en: (p) => `Post ${q(p.title, false)} deleted`,
  },
});

export const commentModerated = defineEvent({
  type: "comment.moderated",
  version: 1,
  payload: z.object({
    commentId: z.string(),
    postId: z.string(),
    postTitle: z.string().optional(),
    action: z.enum(["hidden", "shown", "deleted"]),
  }),
  example: {
    commentId: "0190a000-0000-7000-8000-000000000003",
    postId: "0190a000-0000-7000-8000-000000000002",
    postTitle: "Tourner un bol",
    action: "hidden",
  },
  timeline: {
    fr: (p) =>
      `${p.action === "hidden" ? "Commentaire masqué" : p.action === "shown" ? "Commentaire rétabli" : "Commentaire supprimé"}${p.postTitle ? ` sur ${q(p.postTitle, true)}` : ""}`,
    en: (p) =>
      `${p.action === "hidden" ? "Comment hidden" : p.action === "shown" ? "Comment shown again" : "Comment deleted"}${p.postTitle ? ` on ${q(p.postTitle, false)}` : ""}`,
  },
});

export const newsletterScheduled = defineEvent({
  type: "newsletter.send_created",
  version: 1,
  payload: z.object({ sendId: z.string(), subject: z.string(), scheduledAt: z.string().nullable() }),
  example: { sendId: "0190a000-0000-7000-8000-000000000004", subject: "Le four à bois", scheduledAt: null },
  timeline: {
    fr: (p, f) =>
      p.scheduledAt
        ? `Lettre ${q(p.subject, true)} programmée pour le ${f.dateTime(p.scheduledAt)}`
        : `Lettre ${q(p.subject, true)} envoyée`,
    en: (p, f) =>
      p.scheduledAt
        ? `Newsletter ${q(p.subject, false)} scheduled for ${f.dateTime(p.scheduledAt)}`
        : `Newsletter ${q(p.subject, false)} sent`,
  },
});

export const newsletterCancelled = defineEvent({
  type: "newsletter.send_cancelled",
  version: 1,
  payload: z.object({ sendId: z.string(), subject: z.string() }),
  example: { sendId: "0190a000-0000-7000-8000-000000000004", subject: "Le four à bois" },
  timeline: {
    fr: (p) => `Envoi programmé de ${q(p.subject, true)} annulé`,
    en: (p) => `Scheduled newsletter ${q(p.subject, false)} cancelled`,
  },
});

export const trackingChanged = defineEvent({
  type: "newsletter.tracking_changed",
  version: 1,
  payload: z.object({ tracking: z.boolean() }),
  example: { tracking: true },
  timeline: {
    fr: (p) => `Mesure des ouvertures et des clics ${p.tracking ? "activée" : "désactivée"}`,
    en: (p) => `Open and click tracking ${p.tracking ? "switched on" : "switched off"}`,
  },
});

export const publishingEvents = [
  postCommented,
  commentsBlocked,
  commentsUnblocked,
  emailBounced,
  emailComplained,
  postSaved,
  postDeleted,
  commentModerated,
  newsletterScheduled,
  newsletterCancelled,
  trackingChanged,
] as const;
