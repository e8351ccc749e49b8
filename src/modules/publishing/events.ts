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

export const publishingEvents = [
  postCommented,
  commentsBlocked,
  commentsUnblocked,
  emailBounced,
  emailComplained,
] as const;
