import type { SiteSettings } from "../../platform/settings.ts";

/**
 * The demo creator: Camille, a ceramicist and trainer in the Drôme. Written
 * the way a real independent creator talks to the people who follow her work:
 * first person, concrete, warm, without marketing varnish.
 */
export const demoSite: Partial<SiteSettings> = {
  name: "L’atelier de Camille",
  tagline: "Céramique, tournage et transmission, depuis un ancien moulinage de la Drôme",
  locale: "fr",
  currency: "EUR",
  timeZone: "Europe/Paris",
  accentColor: "#9a4a2c",
  mailFromName: "Camille de l’atelier",
  pricingIntro:
    "Le Cercle finance l’atelier et vous ouvre ses coulisses ; les guides et la formation s’achètent à l’unité. Tout se résilie en un clic.",
  membersWelcomeMarkdown: demoWelcome(),
};

function demoWelcome(): string {
  return [
    "Merci d’être là : c’est grâce au Cercle que le four tourne en hiver.",
    "",
    "- Chaque jeudi, un billet des coulisses (cuissons ratées comprises).",
    "- Le premier samedi du mois, un direct depuis l’atelier : posez vos questions en commentaire.",
    "- Vos guides et la formation sont dans **Mon compte**.",
  ].join("\n");
}

export const demoStory = `J’ai longtemps dessiné des logos pour les autres. Un jour de novembre, à trente-quatre ans, j’ai posé mes mains sur une motte de grès chez un potier de Dieulefit, et je ne les ai plus vraiment retirées.

Aujourd’hui, je tourne, j’émaille et j’enfourne dans un ancien moulinage à soie, au bord du Jabron. L’atelier sent la terre mouillée et le café. Il y a six tours, un grand four à gaz que j’ai appris à écouter, et une table où l’on finit toujours par parler d’autre chose que de céramique.

## Ce que je partage ici

- **La lettre de l’atelier**, une fois par mois : ce qui sort du four, ce qui a fendu (souvent), les recettes d’émaux que j’ai fini par comprendre.
- **Les stages** en petit groupe — six personnes au plus — pour apprendre à centrer, tourner un bol, tournasser un pied.
- **Les cours en ligne** pour celles et ceux qui ont déjà un tour et veulent aller plus loin, à leur rythme.

Je réponds moi-même à chaque message. Si vous m’écrivez pour me dire que votre premier bol s’est effondré, sachez que le mien aussi. C’est là que tout commence.`;

export const demoAbout = `## Qui je suis

Je m’appelle Camille Lefèvre. Graphiste pendant douze ans, céramiste depuis huit. J’ai appris auprès de Jeanne Morel, potière à Dieulefit, qui m’a appris que la terre a de la mémoire et qu’il ne sert à rien de la brusquer.

## L’atelier

L’atelier occupe le rez-de-chaussée d’un ancien moulinage, à vingt minutes de Montélimar. On y vient pour un stage d’un week-end, pour une journée de tournage, ou simplement pour voir le four s’ouvrir un samedi matin — j’annonce toujours les défournements dans la lettre.

## Pourquoi un site à moi

Parce que je voulais un endroit qui ne dépende pas d’un algorithme pour que vous receviez mes nouvelles. Vos coordonnées restent ici, chez moi, et ne servent qu’à vous écrire. Vous pouvez vous désinscrire en un clic, je ne le prendrai pas mal.

## Me trouver

Atelier ouvert le samedi de 10 h à 17 h, d’avril à octobre. Le reste du temps, sur rendez-vous — écrivez-moi.`;
