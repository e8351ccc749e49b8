/** Words of the home page, its settings page and the portrait and cover fields (merged into the site's catalogue). */
export const homeMessages = {
  fr: {
    "site.field.portrait": "Votre portrait",
    "site.field.portrait.hint":
      "Une photo de vous, affichée à côté de votre histoire. PNG, JPEG, WebP ou GIF, 3 Mo au maximum.",
    "site.field.cover": "Image de couverture",
    "site.field.cover.hint":
      "Une image large en haut de la page d’accueil, reprise quand on partage votre site. PNG, JPEG, WebP ou GIF, 5 Mo au maximum.",
    "site.field.removePortrait": "Retirer le portrait actuel",
    "site.field.removeCover": "Retirer l’image de couverture actuelle",
    "site.field.membersWelcome": "Message d’accueil de l’espace membres",
    "site.field.membersWelcome.hint":
      "Ce que lisent vos membres payants en arrivant dans leur espace. En Markdown. Vide : un court message neutre.",
    "site.field.pricingIntro": "Introduction de la page des offres",
    "site.field.pricingIntro.hint": "Une ou deux phrases au-dessus de vos offres. Facultatif.",
    "site.home.portraitAlt": "Portrait de {site}",
    "site.home.sectionsTitle": "Sections de la page d’accueil",
    "site.home.sectionsIntro":
      "Après votre histoire, votre page d’accueil montre ces sections, dans cet ordre. Une section sans contenu (aucun cours publié, par exemple) ne s’affiche pas.",
    "site.home.section.show": "Afficher « {label} »",
    "site.home.section.position": "Position de « {label} »",
    "site.home.section.positionShort": "Position",
    "site.home.position_invalid": "Choisissez une position entre 1 et {max}.",
    "site.home.settings.title": "Page d’accueil",
    "site.home.settings.intro":
      "Ce que l’on voit en arrivant chez vous : votre image, votre portrait, puis ce que vous proposez.",
    "site.home.settings.images": "Images",
    "site.home.settings.words": "Vos mots",
    "site.home.settings.saved": "C’est enregistré. Votre page d’accueil est à jour.",
    "site.home.settings.current.portrait": "Portrait actuel",
    "site.home.settings.current.cover": "Couverture actuelle",
    "site.home.settings.none": "Aucune image pour le moment.",
    "site.home.settings.link": "Page d’accueil : images, sections et textes",
    "site.nav.home": "Page d’accueil",
  },
  en: {
    "site.field.portrait": "Your portrait",
    "site.field.portrait.hint": "A photo of you, shown beside your story. PNG, JPEG, WebP or GIF, up to 3 MB.",
    "site.field.cover": "Cover image",
    "site.field.cover.hint":
      "A wide image at the top of the home page, also used when your site is shared. PNG, JPEG, WebP or GIF, up to 5 MB.",
    "site.field.removePortrait": "Remove the current portrait",
    "site.field.removeCover": "Remove the current cover image",
    "site.field.membersWelcome": "Members’ area welcome",
    "site.field.membersWelcome.hint":
      "What paying members read when they open their area. In Markdown. Empty: a short neutral message.",
    "site.field.pricingIntro": "Pricing page introduction",
    "site.field.pricingIntro.hint": "One or two sentences above your offers. Optional.",
    "site.home.portraitAlt": "Portrait of {site}",
    "site.home.sectionsTitle": "Home page sections",
    "site.home.sectionsIntro":
      "After your story, your home page shows these sections, in this order. A section with nothing in it (no published course, for example) is not shown.",
    "site.home.section.show": "Show “{label}”",
    "site.home.section.position": "Position of “{label}”",
    "site.home.section.positionShort": "Position",
    "site.home.position_invalid": "Choose a position from 1 to {max}.",
    "site.home.settings.title": "Home page",
    "site.home.settings.intro": "What people see when they arrive: your image, your portrait, then what you offer.",
    "site.home.settings.images": "Images",
    "site.home.settings.words": "Your words",
    "site.home.settings.saved": "Saved. Your home page is up to date.",
    "site.home.settings.current.portrait": "Current portrait",
    "site.home.settings.current.cover": "Current cover",
    "site.home.settings.none": "No image yet.",
    "site.home.settings.link": "Home page: images, sections and texts",
    "site.nav.home": "Home page",
  },
};
