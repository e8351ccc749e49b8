/** Words for late payments (client email, creator's list), the "apply first" checkout guard and the week pages. */
export const coachingLateFr: Record<string, string> = {
  "coaching.mail.refund.heading": "Remboursement pour « {title} »",
  "coaching.mail.refund.subject": "Votre remboursement pour « {title} »",
  "coaching.mail.refund.full":
    "Votre achat « {title} » vous a été remboursé en totalité ({amount}), sur le moyen de paiement utilisé.",
  "coaching.mail.refund.partial":
    "{amount} vous ont été remboursés sur votre achat « {title} », sur le moyen de paiement utilisé.",
  "coaching.mail.refund.removed.one": "En contrepartie, {n} séance non utilisée a été retirée de votre compte.",
  "coaching.mail.refund.removed.other": "En contrepartie, {n} séances non utilisées ont été retirées de votre compte.",
  "coaching.mail.refund.left.one": "Il vous reste {n} séance de cet achat à réserver.",
  "coaching.mail.refund.left.other": "Il vous reste {n} séances de cet achat à réserver.",
  "coaching.mail.refund.cancelled.one":
    "{n} séance à venir a été annulée ; vous recevez l’annulation pour votre agenda.",
  "coaching.mail.refund.cancelled.other":
    "{n} séances à venir ont été annulées ; vous recevez les annulations pour votre agenda.",
  "coaching.mail.lost.heading": "Votre créneau a été repris",
  "coaching.mail.lost.subject": "Votre paiement est bien arrivé : à vous de choisir",
  "coaching.mail.lost.body":
    "Votre paiement est arrivé après la fin de la réservation provisoire de 15 minutes, et le créneau du {when} a été pris entre-temps. Rien n’est perdu, vous avez le choix :",
  "coaching.mail.lost.keep":
    "Garder la séance : elle vous attend dans votre compte, choisissez un autre horaire quand vous voulez.",
  "coaching.mail.lost.refund":
    "Être remboursé·e : répondez simplement à ce message (ou écrivez à {contact}) ; le remboursement se fait en un clic, sur le moyen de paiement utilisé.",
  "coaching.late.nav": "Paiements arrivés trop tard",
  "coaching.late.waiting.one": "{n} paiement arrivé trop tard attend votre décision",
  "coaching.late.waiting.other": "{n} paiements arrivés trop tard attendent votre décision",
  "coaching.late.title": "Paiements arrivés trop tard",
  "coaching.late.lead":
    "Ces personnes ont payé une séance après la fin de la réservation provisoire, alors que le créneau avait été repris. Leur séance est gardée en crédit ; si elles préfèrent être remboursées, un clic suffit.",
  "coaching.late.empty": "Aucun paiement arrivé trop tard.",
  "coaching.late.was": "créneau perdu du {when}",
  "coaching.late.state.credit_kept": "séance gardée en crédit",
  "coaching.late.state.rebooked": "une autre séance a été réservée avec ce crédit",
  "coaching.late.state.refunded": "remboursement demandé",
  "coaching.late.refund": "Rembourser",
  "coaching.late.owner_only": "Seule la personne propriétaire du site peut rembourser.",
  "coaching.late.done": "Le remboursement est demandé ; le crédit n’est plus réservable.",
  "coaching.late.err_used": "Ce crédit a déjà servi à réserver une séance, ou le remboursement est déjà demandé.",
  "coaching.checkout.apply_first":
    "Cet accompagnement se fait sur candidature : envoyez la vôtre d’abord. Une fois acceptée, vous pourrez payer ici.",
  "coaching.checkout.sign_in":
    "Cet accompagnement se fait sur candidature : connectez-vous avec le compte qui a candidaté pour payer.",
  "coaching.checkout.no_gift": "Cet accompagnement se fait sur candidature : il ne peut pas être offert.",
  "coaching.checkout.apply_link": "Candidater",
  "coaching.picker.weeks": "Semaines",
  "coaching.picker.buy_first": "Pour réserver vos séances, réglez d’abord l’accompagnement.",
  "coaching.picker.buy_link": "Payer l’accompagnement",
  "coaching.picker.prev_week": "← Semaine précédente",
  "coaching.picker.next_week": "Semaine suivante →",
  "coaching.picker.other_zone": "Un autre fuseau horaire…",
  "coaching.mail.late_creator.heading": "Un paiement est arrivé trop tard",
  "coaching.mail.late_creator.subject": "Paiement arrivé trop tard : {client} garde une séance en crédit",
  "coaching.mail.late_creator.body":
    "Le paiement de {client} pour « {title} » est arrivé après la fin de la réservation provisoire, et le créneau du {when} avait été pris entre-temps. La séance lui reste en crédit, et nous lui avons écrit pour lui proposer un autre horaire ou un remboursement.",
  "coaching.mail.late_creator.choice":
    "Si cette personne demande à être remboursée, vous le faites en un clic depuis la page des paiements arrivés trop tard.",
  "coaching.mail.late_creator.button": "Voir les paiements arrivés trop tard",
  "coaching.mail.refund_creator.heading": "Séances reprises après un remboursement",
  "coaching.mail.refund_creator.subject.one": "Remboursement : {n} séance reprise à {client}",
  "coaching.mail.refund_creator.subject.other": "Remboursement : {n} séances reprises à {client}",
  "coaching.mail.refund_creator.body.one":
    "Le remboursement de {amount} pour « {title} » a repris à {client} {n} séance non utilisée.",
  "coaching.mail.refund_creator.body.other":
    "Le remboursement de {amount} pour « {title} » a repris à {client} {n} séances non utilisées.",
  "coaching.mail.refund_creator.full": "C’est un remboursement complet : il ne lui reste aucune séance de cet achat.",
  "coaching.mail.refund_creator.left.one": "Il lui reste {n} séance de cet achat à réserver.",
  "coaching.mail.refund_creator.left.other": "Il lui reste {n} séances de cet achat à réserver.",
  "coaching.mail.refund_creator.cancelled.one": "{n} séance à venir a été annulée (son agenda est prévenu).",
  "coaching.mail.refund_creator.cancelled.other": "{n} séances à venir ont été annulées (son agenda est prévenu).",
  "coaching.mail.refund_creator.button": "Voir les séances",
  "coaching.zones.title": "Choisir un fuseau horaire",
  "coaching.zones.hint": "Choisissez la ville la plus proche de chez vous : les horaires s’afficheront à son heure.",
};

export const coachingLateEn: Record<string, string> = {
  "coaching.mail.refund.heading": "Refund for “{title}”",
  "coaching.mail.refund.subject": "Your refund for “{title}”",
  "coaching.mail.refund.full":
    "Your purchase “{title}” was refunded in full ({amount}), to the payment method you used.",
  "coaching.mail.refund.partial": "{amount} of your purchase “{title}” was refunded, to the payment method you used.",
  "coaching.mail.refund.removed.one": "In return, {n} unused session was taken off your account.",
  "coaching.mail.refund.removed.other": "In return, {n} unused sessions were taken off your account.",
  "coaching.mail.refund.left.one": "You have {n} session of this purchase left to book.",
  "coaching.mail.refund.left.other": "You have {n} sessions of this purchase left to book.",
  "coaching.mail.refund.cancelled.one":
    "{n} upcoming session was cancelled; the cancellation for your calendar is on its way.",
  "coaching.mail.refund.cancelled.other":
    "{n} upcoming sessions were cancelled; the cancellations for your calendar are on their way.",
  "coaching.mail.lost.heading": "Your slot was taken",
  "coaching.mail.lost.subject": "Your payment arrived: your choice",
  "coaching.mail.lost.body":
    "Your payment arrived after the 15-minute temporary hold ended, and the slot on {when} was taken in the meantime. Nothing is lost, you can choose:",
  "coaching.mail.lost.keep": "Keep the session: it is waiting in your account, pick another time whenever you like.",
  "coaching.mail.lost.refund":
    "Get your money back: just reply to this email (or write to {contact}); the refund takes one click and goes back to the card you paid with.",
  "coaching.late.nav": "Payments that came too late",
  "coaching.late.waiting.one": "{n} payment that came too late is waiting for you",
  "coaching.late.waiting.other": "{n} payments that came too late are waiting for you",
  "coaching.late.title": "Payments that came too late",
  "coaching.late.lead":
    "These people paid for a session after its temporary hold ended, when the slot had been taken. Their session is kept as a credit; if they would rather have their money back, one click is enough.",
  "coaching.late.empty": "No payment came too late.",
  "coaching.late.was": "lost slot on {when}",
  "coaching.late.state.credit_kept": "session kept as a credit",
  "coaching.late.state.rebooked": "another session was booked with this credit",
  "coaching.late.state.refunded": "refund requested",
  "coaching.late.refund": "Refund",
  "coaching.late.owner_only": "Only the site owner can refund.",
  "coaching.late.done": "The refund is requested; the credit can no longer be booked.",
  "coaching.late.err_used": "This credit was already used to book a session, or the refund was already requested.",
  "coaching.checkout.apply_first":
    "This coaching is by application: send yours first. Once it is accepted, you can pay here.",
  "coaching.checkout.sign_in": "This coaching is by application: sign in with the account you applied with to pay.",
  "coaching.checkout.no_gift": "This coaching is by application: it cannot be given as a gift.",
  "coaching.checkout.apply_link": "Apply",
  "coaching.picker.weeks": "Weeks",
  "coaching.picker.buy_first": "To book your sessions, please pay for the package first.",
  "coaching.picker.buy_link": "Pay for the package",
  "coaching.picker.prev_week": "← Previous week",
  "coaching.picker.next_week": "Next week →",
  "coaching.picker.other_zone": "Another time zone…",
  "coaching.mail.late_creator.heading": "A payment came too late",
  "coaching.mail.late_creator.subject": "A payment came too late: {client} keeps a session as a credit",
  "coaching.mail.late_creator.body":
    "{client}’s payment for “{title}” arrived after the temporary hold ended, and the slot on {when} had been taken in the meantime. The session is kept as a credit, and we wrote to them offering another time or a refund.",
  "coaching.mail.late_creator.choice":
    "If they ask for their money back, you can refund them in one click from the late payments page.",
  "coaching.mail.late_creator.button": "See the payments that came too late",
  "coaching.mail.refund_creator.heading": "Sessions taken back after a refund",
  "coaching.mail.refund_creator.subject.one": "Refund: {n} session taken back from {client}",
  "coaching.mail.refund_creator.subject.other": "Refund: {n} sessions taken back from {client}",
  "coaching.mail.refund_creator.body.one":
    "The refund of {amount} for “{title}” took back {n} unused session from {client}.",
  "coaching.mail.refund_creator.body.other":
    "The refund of {amount} for “{title}” took back {n} unused sessions from {client}.",
  "coaching.mail.refund_creator.full": "It is a full refund: they have no session of this purchase left.",
  "coaching.mail.refund_creator.left.one": "They have {n} session of this purchase left to book.",
  "coaching.mail.refund_creator.left.other": "They have {n} sessions of this purchase left to book.",
  "coaching.mail.refund_creator.cancelled.one": "{n} upcoming session was cancelled (their calendar is told).",
  "coaching.mail.refund_creator.cancelled.other": "{n} upcoming sessions were cancelled (their calendar is told).",
  "coaching.mail.refund_creator.button": "See the sessions",
  "coaching.zones.title": "Choose a time zone",
  "coaching.zones.hint": "Pick the city closest to you: times will be shown in its time.",
};
