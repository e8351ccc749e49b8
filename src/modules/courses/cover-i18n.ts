/** The course cover's words (its own file: the course editor's messages are being changed elsewhere). */
export const coverMessages = {
  fr: {
    "courses.cover.title": "Image de couverture",
    "courses.cover.label": "Nouvelle image",
    "courses.cover.hint":
      "Montrée sur la carte du cours (page d’accueil, liste des cours) et en haut de sa page, une fois le cours publié. PNG, JPEG, WebP ou GIF, 5 Mo au maximum.",
    "courses.cover.remove": "Retirer l’image actuelle",
    "courses.cover.save": "Enregistrer l’image",
    "courses.cover.back": "Revenir au cours",
  },
  en: {
    "courses.cover.title": "Cover image",
    "courses.cover.label": "New image",
    "courses.cover.hint":
      "Shown on the course's card (home page, course list) and at the top of its page once the course is published. PNG, JPEG, WebP or GIF, 5 MB at most.",
    "courses.cover.remove": "Remove the current image",
    "courses.cover.save": "Save the image",
    "courses.cover.back": "Back to the course",
  },
} as const;
