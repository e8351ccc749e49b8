import { defineMessages } from "../../platform/i18n/index.ts";

export const membersMessages = defineMessages({
  fr: {
    "members.tags.label": "Étiquettes",
    "members.tags.hint":
      "Séparées par des virgules, par exemple : stage-été, lyon. Elles servent à filtrer et à cibler vos envois.",
    "members.tags.invalid": "Une étiquette fait au plus {max} caractères, sans < ni >.",
    "members.tags.tooMany": "{max} étiquettes au plus par membre.",
    "members.error.exists": "Un membre existe déjà avec cette adresse e-mail.",
    "members.error.rate_limited":
      "Trop de demandes en peu de temps. Patientez un quart d’heure avant de réessayer : aucun e-mail n’a été envoyé cette fois-ci.",
    "members.consent.newsletter":
      "J’accepte de recevoir par e-mail les lettres et nouvelles de {site}. Je peux me désinscrire à tout moment.",

    "members.field.email": "Adresse e-mail",
    "members.field.name": "Prénom ou nom",
    "members.field.locale": "Langue",
    "members.field.time_zone": "Fuseau horaire",

    "members.join.title": "Rejoindre {site}",
    "members.join.lead":
      "C’est gratuit. Vous recevrez un e-mail pour confirmer votre adresse, puis vous pourrez accéder à votre espace.",
    "members.join.name_hint": "Pour que l’on puisse vous saluer par votre nom.",
    "members.join.submit": "Rejoindre",
    "members.join.privacy":
      "Votre adresse ne sert qu’à vous connecter et, si vous l’acceptez, à vous écrire. Vous pouvez télécharger ou effacer vos données à tout moment depuis votre compte.",
    "members.join.have_account": "Déjà membre ?",
    "members.join.login": "Se connecter",

    "members.inbox.title": "Vérifiez votre boîte de réception",
    "members.inbox.join": "Nous venons d’envoyer un e-mail à {email}. Ouvrez-le et suivez le lien pour continuer.",
    "members.inbox.login":
      "Si {email} correspond à un compte, un lien de connexion vient de partir. Ouvrez l’e-mail et suivez le lien.",
    "members.inbox.join_expiry": "Pensez à l’ouvrir sans tarder : le lien n’est valable que pour une durée limitée.",
    "members.inbox.login_expiry": "Le lien reste valable 15 minutes et ne fonctionne qu’une fois.",
    "members.inbox.nothing":
      "Rien reçu après quelques minutes ? Regardez dans vos courriers indésirables et vérifiez l’adresse saisie.",
    "members.inbox.retry": "Réessayer avec une autre adresse",

    "members.confirm.title": "Confirmez votre inscription",
    "members.confirm.lead": "Un dernier clic pour confirmer l’adresse {email} et entrer dans {site}.",
    "members.confirm.submit": "Confirmer mon adresse",

    "members.login.title": "Se connecter",
    "members.login.lead":
      "Pas de mot de passe à retenir : saisissez votre adresse e-mail et nous vous envoyons un lien de connexion.",
    "members.login.submit": "Recevoir mon lien de connexion",
    "members.login.no_account": "Pas encore membre ?",
    "members.login.join": "Rejoindre gratuitement",

    "members.verify.title": "Connexion à {site}",
    "members.verify.lead": "Vous y êtes presque : appuyez sur le bouton pour terminer la connexion sur cet appareil.",
    "members.verify.submit": "Me connecter",

    "members.link.problem_title": "Ce lien ne fonctionne plus",
    "members.link.login.unknown": "Ce lien de connexion n’est pas valide. Il a peut-être été mal copié.",
    "members.link.login.expired": "Ce lien de connexion a expiré : il n’est valable que 15 minutes.",
    "members.link.login.used": "Ce lien de connexion a déjà servi : chaque lien ne fonctionne qu’une fois.",
    "members.link.login.again": "Recevoir un nouveau lien",
    "members.link.confirm.unknown": "Ce lien de confirmation n’est pas valide. Il a peut-être été mal copié.",
    "members.link.confirm.expired": "Ce lien de confirmation a expiré : il n’est valable que 48 heures.",
    "members.link.confirm.used":
      "Ce lien de confirmation a déjà servi. Votre adresse est sans doute déjà confirmée : connectez-vous.",
    "members.link.confirm.again": "Recommencer l’inscription",

    "members.mail.hello": "Bonjour,",
    "members.mail.hello_name": "Bonjour {name},",
    "members.mail.confirm.subject": "Confirmez votre inscription à {site}",
    "members.mail.confirm.heading": "Encore une étape",
    "members.mail.confirm.body":
      "Merci de rejoindre {site} ! Pour terminer votre inscription, confirmez votre adresse e-mail avec le bouton ci-dessous.",
    "members.mail.confirm.button": "Confirmer mon adresse",
    "members.mail.confirm.note":
      "Ce lien expire dans 48 heures. Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail : aucun compte ne sera activé.",
    "members.mail.login.subject": "Votre lien de connexion à {site}",
    "members.mail.login.heading": "Votre lien de connexion",
    "members.mail.login.body": "Voici le lien demandé pour vous connecter à {site}.",
    "members.mail.login.button": "Me connecter",
    "members.mail.login.note":
      "Ce lien expire dans 15 minutes et ne fonctionne qu’une fois. Si vous n’avez rien demandé, ignorez cet e-mail : personne ne pourra se connecter sans ce lien.",
    "members.mail.already.subject": "Vous avez déjà un compte sur {site}",
    "members.mail.already.heading": "Vous êtes déjà membre",
    "members.mail.already.body":
      "Quelqu’un, sans doute vous, a demandé à rejoindre {site} avec cette adresse. Vous avez déjà un compte : utilisez ce lien pour vous connecter.",
    "members.mail.already.button": "Me connecter",
    "members.mail.already.note":
      "Ce lien expire dans 15 minutes et ne fonctionne qu’une fois. Si vous n’avez rien demandé, ignorez cet e-mail.",

    "members.status.pending": "Adresse non confirmée",
    "members.account.title": "Mon compte",
    "members.account.hello": "Bonjour {name}",
    "members.account.member_since": "Membre depuis le {date}",
    "members.account.welcome_title": "Bienvenue dans {site} !",
    "members.account.welcome": "Votre adresse est confirmée et vous êtes connecté·e.",
    "members.account.saved": "Vos préférences sont enregistrées.",
    "members.account.profile": "Profil et préférences",
    "members.account.emails": "E-mails",
    "members.account.data": "Vos données",
    "members.account.data_lead":
      "Téléchargez tout ce que {site} conserve à votre sujet : profil, consentements et historique, dans un fichier JSON.",
    "members.account.export": "Télécharger mes données",
    "members.account.delete": "Supprimer mon compte",
    "members.account.delete_lead": "La suppression efface votre profil et votre historique. Elle est définitive.",
    "members.account.delete_link": "Supprimer mon compte…",

    "members.delete.title": "Supprimer votre compte ?",
    "members.delete.lead": "Si vous confirmez, {site} effacera aussitôt :",
    "members.delete.what_profile": "votre profil ({email}) et vos préférences ;",
    "members.delete.what_history": "votre historique, vos consentements et vos connexions ;",
    "members.delete.what_emails": "votre abonnement aux e-mails.",
    "members.delete.export_first":
      "Vous souhaitez garder une copie ? Téléchargez vos données depuis votre compte avant de continuer.",
    "members.delete.submit": "Supprimer définitivement mon compte",
    "members.goodbye.title": "Votre compte est supprimé",
    "members.goodbye.lead":
      "Vos données ont été effacées. Merci d’avoir fait un bout de chemin avec {site} ; vous serez toujours bienvenu·e.",
    "members.goodbye.home": "Revenir à l’accueil",
  },
  en: {
    "members.tags.label": "Tags",
    "members.tags.hint":
      "Separated by commas, for example: summer-course, lyon. Use them to filter and to target your sends.",
    "members.tags.invalid": "A tag is at most {max} characters, without < or >.",
    "members.tags.tooMany": "At most {max} tags per member.",
    "members.error.exists": "A member with this email address already exists.",
    "members.error.rate_limited":
      "Too many requests in a short time. Please wait a quarter of an hour before trying again: no email was sent this time.",
    "members.consent.newsletter":
      "I agree to receive letters and news from {site} by email. I can unsubscribe at any time.",

    "members.field.email": "Email address",
    "members.field.name": "Name",
    "members.field.locale": "Language",
    "members.field.time_zone": "Time zone",

    "members.join.title": "Join {site}",
    "members.join.lead": "It’s free. You’ll get an email to confirm your address, then you can enter your space.",
    "members.join.name_hint": "So we can greet you by name.",
    "members.join.submit": "Join",
    "members.join.privacy":
      "Your address is only used to log you in and, if you agree, to write to you. You can download or erase your data at any time from your account.",
    "members.join.have_account": "Already a member?",
    "members.join.login": "Log in",

    "members.inbox.title": "Check your inbox",
    "members.inbox.join": "We’ve just sent an email to {email}. Open it and follow the link to continue.",
    "members.inbox.login":
      "If {email} belongs to an account, a login link is on its way. Open the email and follow the link.",
    "members.inbox.join_expiry": "Open it soon: the link is only valid for a limited time.",
    "members.inbox.login_expiry": "The link stays valid for 15 minutes and works only once.",
    "members.inbox.nothing": "Nothing after a few minutes? Look in your spam folder and check the address you typed.",
    "members.inbox.retry": "Try again with another address",

    "members.confirm.title": "Confirm your sign-up",
    "members.confirm.lead": "One last click to confirm {email} and step into {site}.",
    "members.confirm.submit": "Confirm my address",

    "members.login.title": "Log in",
    "members.login.lead": "No password to remember: enter your email address and we’ll send you a login link.",
    "members.login.submit": "Email me a login link",
    "members.login.no_account": "Not a member yet?",
    "members.login.join": "Join for free",

    "members.verify.title": "Log in to {site}",
    "members.verify.lead": "Almost there: press the button to finish logging in on this device.",
    "members.verify.submit": "Log me in",

    "members.link.problem_title": "This link no longer works",
    "members.link.login.unknown": "This login link is not valid. It may have been copied incompletely.",
    "members.link.login.expired": "This login link has expired: it is only valid for 15 minutes.",
    "members.link.login.used": "This login link has already been used: each link works only once.",
    "members.link.login.again": "Get a new link",
    "members.link.confirm.unknown": "This confirmation link is not valid. It may have been copied incompletely.",
    "members.link.confirm.expired": "This confirmation link has expired: it is only valid for 48 hours.",
    "members.link.confirm.used":
      "This confirmation link has already been used. Your address is probably confirmed already: log in.",
    "members.link.confirm.again": "Sign up again",

    "members.mail.hello": "Hello,",
    "members.mail.hello_name": "Hello {name},",
    "members.mail.confirm.subject": "Confirm your sign-up to {site}",
    "members.mail.confirm.heading": "One more step",
    "members.mail.confirm.body":
      "Thank you for joining {site}! To finish signing up, confirm your email address with the button below.",
    "members.mail.confirm.button": "Confirm my address",
    "members.mail.confirm.note":
      "This link expires in 48 hours. If you did not ask for this, ignore this email: no account will be activated.",
    "members.mail.login.subject": "Your login link for {site}",
    "members.mail.login.heading": "Your login link",
    "members.mail.login.body": "Here is the link you asked for to log in to {site}.",
    "members.mail.login.button": "Log me in",
    "members.mail.login.note":
      "This link expires in 15 minutes and works only once. If you did not ask for it, ignore this email: nobody can log in without this link.",
    "members.mail.already.subject": "You already have an account on {site}",
    "members.mail.already.heading": "You’re already a member",
    "members.mail.already.body":
      "Someone, probably you, asked to join {site} with this address. You already have an account: use this link to log in.",
    "members.mail.already.button": "Log me in",
    "members.mail.already.note":
      "This link expires in 15 minutes and works only once. If you did not ask for it, ignore this email.",

    "members.status.pending": "Address not confirmed",
    "members.account.title": "My account",
    "members.account.hello": "Hello {name}",
    "members.account.member_since": "Member since {date}",
    "members.account.welcome_title": "Welcome to {site}!",
    "members.account.welcome": "Your address is confirmed and you are logged in.",
    "members.account.saved": "Your preferences are saved.",
    "members.account.profile": "Profile and preferences",
    "members.account.emails": "Emails",
    "members.account.data": "Your data",
    "members.account.data_lead":
      "Download everything {site} keeps about you: profile, consents and history, in a JSON file.",
    "members.account.export": "Download my data",
    "members.account.delete": "Delete my account",
    "members.account.delete_lead": "Deleting erases your profile and your history. It cannot be undone.",
    "members.account.delete_link": "Delete my account…",

    "members.delete.title": "Delete your account?",
    "members.delete.lead": "If you confirm, {site} will erase at once:",
    "members.delete.what_profile": "your profile ({email}) and preferences;",
    "members.delete.what_history": "your history, consents and logins;",
    "members.delete.what_emails": "your email subscription.",
    "members.delete.export_first": "Want to keep a copy? Download your data from your account before you continue.",
    "members.delete.submit": "Delete my account for good",
    "members.goodbye.title": "Your account is deleted",
    "members.goodbye.lead":
      "Your data has been erased. Thank you for spending time with {site}; you will always be welcome back.",
    "members.goodbye.home": "Back to the home page",
  },
});
