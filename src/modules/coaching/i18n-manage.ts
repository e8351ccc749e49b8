/** Words for the "reschedule or cancel" link of the emails and the pages it opens. */
export const coachingManageFr: Record<string, string> = {
  "coaching.mail.manage.title": "Un empêchement ?",
  "coaching.mail.manage.link": "Déplacer ou annuler cette séance",
  "coaching.manage.title": "Déplacer ou annuler votre séance",
  "coaching.manage.in_time":
    "Vous pouvez la déplacer ou l’annuler sans frais jusqu’à {hours} h avant ; la séance vous est alors rendue.",
  "coaching.manage.too_late":
    "Il reste moins de {hours} h : la séance ne peut plus être déplacée, et si vous l’annulez, elle est due (crédit ou paiement gardé).",
  "coaching.manage.reschedule": "Choisir un autre horaire",
  "coaching.manage.cancel": "Annuler la séance",
  "coaching.manage.cancelled": "Séance annulée",
  "coaching.manage.cancelled_body": "Votre séance du {when} est annulée. Un e-mail de confirmation suit.",
  "coaching.manage.moved": "Séance déplacée",
  "coaching.manage.moved_body": "Votre séance a lieu désormais le {when}. L’invitation mise à jour arrive par e-mail.",
  "coaching.manage.bad_link": "Ce lien n’est pas valide. Retrouvez vos séances dans votre compte.",
  "coaching.manage.stale_link":
    "Ce lien n’est plus à jour : la séance a été déplacée ou annulée depuis. Utilisez le lien du dernier e-mail, ou votre compte.",
  "coaching.manage.expired_link":
    "Ce lien a expiré : la séance a commencé, ou n’est plus active. Retrouvez vos séances dans votre compte.",
};

export const coachingManageEn: Record<string, string> = {
  "coaching.mail.manage.title": "Something came up?",
  "coaching.mail.manage.link": "Reschedule or cancel this session",
  "coaching.manage.title": "Reschedule or cancel your session",
  "coaching.manage.in_time":
    "You can move or cancel it free of charge until {hours} h before; the session is then given back to you.",
  "coaching.manage.too_late":
    "Less than {hours} h to go: the session can no longer be moved, and if you cancel it, it is due (the credit or payment is kept).",
  "coaching.manage.reschedule": "Choose another time",
  "coaching.manage.cancel": "Cancel the session",
  "coaching.manage.cancelled": "Session cancelled",
  "coaching.manage.cancelled_body": "Your session on {when} is cancelled. A confirmation email follows.",
  "coaching.manage.moved": "Session moved",
  "coaching.manage.moved_body":
    "Your session now takes place on {when}. The updated invitation is on its way by email.",
  "coaching.manage.bad_link": "This link is not valid. Your sessions are in your account.",
  "coaching.manage.stale_link":
    "This link is out of date: the session was moved or cancelled since. Use the link of the latest email, or your account.",
  "coaching.manage.expired_link":
    "This link has expired: the session has started, or is no longer active. Your sessions are in your account.",
};
