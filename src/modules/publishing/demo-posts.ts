/**
 * The demo's writing: L’atelier de Camille's posts (title, excerpt, tags, audience, opening), the
 * middles and paid parts they share, and the comments members leave.
 */
export interface DemoPost {
  title: string;
  excerpt: string;
  tags: string;
  audience: "public" | "members" | "paid" | "tier";
  opening: string;
}

export const posts: DemoPost[] = [
  {
    title: "Le premier défournement de l’année",
    excerpt: "Ce qui est sorti du four ce samedi, et ce qui n’a pas survécu.",
    tags: "four, journal",
    audience: "public",
    opening:
      "Samedi matin, sept heures. Le four affichait encore 180 °C quand je n’ai pas résisté : j’ai entrouvert la porte. Une bouffée de chaleur sèche, l’odeur du grès cuit, et ce petit tintement des émaux qui refroidissent.",
  },
  {
    title: "Pourquoi je tourne en grès plutôt qu’en faïence",
    excerpt: "Une question qu’on me pose à chaque stage.",
    tags: "matières, tournage",
    audience: "public",
    opening:
      "On me demande souvent pourquoi je ne travaille presque que le grès. La réponse courte : parce qu’il pardonne moins, et qu’il me l’a bien rendu.",
  },
  {
    title: "Recette : le céladon du Jabron",
    excerpt: "Mon émail le plus demandé, enfin détaillé.",
    tags: "émaux, recettes",
    audience: "paid",
    opening:
      "Ce céladon, je l’ai raté pendant deux ans. Trop vert, trop opaque, ou plein de bulles. Voici comment il est devenu celui qui recouvre la moitié de mes bols.",
  },
  {
    title: "Centrer la terre sans se faire mal au dos",
    excerpt: "Posture, appuis, respiration : ce que j’aurais aimé savoir.",
    tags: "tournage, débuter",
    audience: "members",
    opening:
      "Le centrage est le moment où l’on décide si la séance sera agréable ou pénible. Et presque toujours, le problème ne vient pas des mains mais du dos.",
  },
  {
    title: "Une semaine dans l’atelier, heure par heure",
    excerpt: "Ce que fait vraiment une céramiste de la Drôme entre deux cuissons.",
    tags: "journal, atelier",
    audience: "public",
    opening:
      "Lundi, 8 h 30 : café, radio, et la liste accrochée au-dessus de l’évier. Elle ne change presque jamais, et pourtant chaque semaine lui désobéit.",
  },
  {
    title: "Tournasser un pied : la méthode des trois appuis",
    excerpt: "Un pas-à-pas avec photos pour des pieds nets.",
    tags: "tournage, technique",
    audience: "paid",
    opening:
      "Un bol se juge à son pied. C’est la première chose que je regarde en retournant une pièce au marché, et la dernière que l’on soigne quand on débute.",
  },
  {
    title: "Les fissures en S, et comment je les ai vaincues",
    excerpt: "Compression du fond, séchage lent, et un peu de patience.",
    tags: "technique, erreurs",
    audience: "members",
    opening:
      "Pendant un hiver entier, presque un bol sur trois sortait du four avec une fissure en S au fond. J’ai tout accusé : la terre, le four, la météo.",
  },
  {
    title: "Le marché des potiers de Dieulefit",
    excerpt: "Deux jours sous les platanes, et ce que j’y ai appris cette année.",
    tags: "rencontres, journal",
    audience: "public",
    opening:
      "Chaque année, le marché des potiers me rappelle pourquoi j’ai quitté le graphisme : on y parle de terre avec des inconnus pendant des heures, et personne ne regarde sa montre.",
  },
  {
    title: "Cuisson réduction : carnet de bord d’une fournée",
    excerpt: "Les courbes, les réglages et les surprises d’une cuisson à 1 280 °C.",
    tags: "four, technique",
    audience: "tier",
    opening:
      "J’ai noté chaque quart d’heure de cette cuisson. Voici le carnet tel quel, avec mes ratures et ce que j’en ai compris le lendemain.",
  },
  {
    title: "Trois bols pour apprendre à regarder",
    excerpt: "Ce que j’observe dans un bol avant de l’acheter (ou de le jeter).",
    tags: "regard, débuter",
    audience: "public",
    opening:
      "Prenez un bol que vous aimez. Retournez-le. Passez le pouce sur le pied. Regardez la ligne de l’émail. Tout ce que je sais tient dans ces trois gestes.",
  },
  {
    title: "Mes émaux de cendre, de la cheminée à la bouteille",
    excerpt: "Laver, tamiser, doser : la cendre de bois comme matière première.",
    tags: "émaux, recettes",
    audience: "paid",
    opening:
      "Tout a commencé avec la cendre de la cheminée de mes voisins. Ils la jetaient ; j’en ai fait le fond de mes plus beaux bleus.",
  },
  {
    title: "Stage d’automne : les inscriptions sont ouvertes",
    excerpt: "Six places, un week-end, des bols et beaucoup de thé.",
    tags: "stages, atelier",
    audience: "public",
    opening:
      "Le stage d’automne aura lieu les deux derniers week-ends d’octobre. Comme toujours, six personnes au plus, pour que chacune ait son tour et mon attention.",
  },
  {
    title: "Ce que m’a appris Jeanne Morel",
    excerpt: "Portrait de la potière qui m’a tout transmis.",
    tags: "rencontres, transmission",
    audience: "members",
    opening:
      "Jeanne ne donnait jamais de conseils. Elle posait une main sur la terre, à côté de la mienne, et attendait que je sente la différence.",
  },
  {
    title: "Tarifs : pourquoi mes bols coûtent ce prix-là",
    excerpt: "Le détail, ligne par ligne, d’un bol à 38 €.",
    tags: "métier, transparence",
    audience: "members",
    opening:
      "On m’a dit un jour au marché qu’un bol à 38 €, « c’est du luxe ». J’ai répondu en détaillant le prix. La personne est repartie avec deux bols.",
  },
  {
    title: "Émailler par trempage sans coulures",
    excerpt: "Densité, temps de trempe et le geste du poignet.",
    tags: "émaux, technique",
    audience: "paid",
    opening:
      "Les coulures sont la signature des débuts. Elles disparaissent quand on comprend trois choses : la densité de l’émail, le temps de trempe, et ce que fait votre poignet à la sortie.",
  },
  {
    title: "L’atelier sous la neige",
    excerpt: "Quand le moulinage devient silencieux.",
    tags: "journal, atelier",
    audience: "public",
    opening:
      "Il a neigé toute la nuit sur le Jabron. Ce matin, l’atelier était si calme que j’entendais la terre sécher sur les étagères.",
  },
  {
    title: "Le tour électrique que je recommande pour débuter",
    excerpt: "Sans marque sponsorisée : ce qui compte vraiment.",
    tags: "matériel, débuter",
    audience: "members",
    opening:
      "On me demande chaque mois quel tour acheter. Je n’ai pas de partenariat, seulement douze ans de tours capricieux et un avis tranché.",
  },
  {
    title: "Recette : le tenmoku qui casse au bord",
    excerpt: "Un brun profond qui s’éclaire sur les arêtes.",
    tags: "émaux, recettes",
    audience: "tier",
    opening:
      "Le tenmoku est l’émail de la patience : noir dans le seau, miel sur les bords après cuisson, et jamais tout à fait pareil deux fois.",
  },
  {
    title: "Photographier ses pièces avec un téléphone",
    excerpt: "Lumière du nord, fond gris et un carton plié.",
    tags: "métier, photo",
    audience: "public",
    opening:
      "Mes photos de boutique sont faites avec un téléphone, une fenêtre orientée au nord et un carton gris plié en deux. Voici le montage exact.",
  },
  {
    title: "Carnet : les pièces ratées de mars",
    excerpt: "Une galerie honnête de ce qui n’a pas marché.",
    tags: "erreurs, journal",
    audience: "members",
    opening:
      "Je publie chaque saison mes ratés. Pas par modestie : parce que c’est là que j’apprends le plus, et que vous aussi.",
  },
  {
    title: "Tourner de grandes pièces : monter en deux fois",
    excerpt: "La technique des anneaux assemblés pour les jarres.",
    tags: "tournage, technique",
    audience: "paid",
    opening:
      "Au-delà de quarante centimètres, je ne tourne plus d’une seule pièce. J’assemble deux parties, et la jonction disparaît si l’on respecte le bon moment.",
  },
  {
    title: "Pourquoi j’ai quitté Instagram pour ce site",
    excerpt: "Moins de vues, plus de vraies conversations.",
    tags: "métier, transparence",
    audience: "public",
    opening:
      "J’ai publié mon dernier post Instagram un mardi de février. Depuis, j’ai moins de « j’aime », et beaucoup plus de lettres auxquelles je réponds avec plaisir.",
  },
  {
    title: "Masterclass : l’émail shino, pas à pas",
    excerpt: "Vidéo et notes complètes pour les membres du Cercle.",
    tags: "émaux, masterclass",
    audience: "tier",
    opening:
      "Le shino est l’émail qui m’a fait aimer la chimie. Cette masterclass rassemble tout ce que j’ai testé pendant trois ans de fournées.",
  },
  {
    title: "Nettoyer son atelier sans respirer la silice",
    excerpt: "Serpillière, aspirateur à filtre HEPA et bonnes habitudes.",
    tags: "santé, atelier",
    audience: "public",
    opening:
      "La poussière de terre sèche contient de la silice. Ce n’est pas une raison pour avoir peur, c’est une raison pour ne jamais balayer à sec.",
  },
  {
    title: "Engobes colorés : mes dix teintes de base",
    excerpt: "Oxydes, pourcentages et essais sur grès chamotté.",
    tags: "recettes, couleur",
    audience: "paid",
    opening:
      "Avec dix engobes, je couvre presque toute ma palette. Voici les proportions, les oxydes et les essais cuits sur la même terre.",
  },
  {
    title: "Ce que j’ai appris en donnant cent stages",
    excerpt: "Les mains, la patience, et l’art de rater ensemble.",
    tags: "stages, transmission",
    audience: "public",
    opening:
      "Cent stages, six cents personnes, et une certitude : personne ne réussit son premier bol, et tout le monde s’en souvient.",
  },
  {
    title: "Séchage : le secret des sacs plastiques troués",
    excerpt: "Ralentir l’eau pour éviter les fentes.",
    tags: "technique, débuter",
    audience: "members",
    opening:
      "La plupart des fentes naissent sur l’étagère, pas dans le four. Mon remède coûte trois centimes : un sac plastique percé d’un trou d’aiguille.",
  },
  {
    title: "Bilan de l’année à l’atelier",
    excerpt: "Chiffres, fournées, stages et envies pour l’an prochain.",
    tags: "journal, transparence",
    audience: "members",
    opening:
      "Cette année, 41 fournées, 23 stages et 1 870 pièces sorties du four. Voici le bilan, sans rien cacher, avec ce que j’aimerais changer.",
  },
  {
    title: "Dessiner ses formes avant de tourner",
    excerpt: "Le carnet de croquis, un outil de potière.",
    tags: "regard, atelier",
    audience: "public",
    opening:
      "Je dessine chaque forme avant de la tourner. Pas pour la copier, mais pour savoir où je veux que le regard s’arrête.",
  },
  {
    title: "Recette : le blanc mat satiné de l’atelier",
    excerpt: "Le blanc de mes assiettes, au gramme près.",
    tags: "émaux, recettes",
    audience: "paid",
    opening:
      "Ce blanc mat recouvre toutes mes assiettes. Il a la douceur d’une coquille d’œuf et résiste au lave-vaisselle, ce qui m’a pris un an à obtenir.",
  },
];

export const middles = [
  "Ce que je retiens surtout, c’est que la terre a toujours raison. Quand une pièce fend, se voile ou s’effondre, elle me dit quelque chose sur mon geste ou sur mon impatience. J’ai appris à écouter avant de recommencer.",
  "Dans l’atelier, tout se joue sur la durée. Une terre trop fraîche, un séchage trop rapide, un four trop pressé : chaque raccourci se paie plus tard, souvent au moment où l’on s’y attend le moins.",
  "J’ai noté mes essais dans un carnet à spirale couvert de taches d’émail. Il est illisible pour tout le monde sauf pour moi, et c’est le bien le plus précieux de l’atelier après le four.",
  "Si vous débutez, ne cherchez pas la pièce parfaite. Cherchez la pièce honnête : celle où l’on voit la main, la trace du tour, l’endroit où l’émail a hésité.",
  "Je reçois beaucoup de questions à ce sujet par e-mail. Je réponds à toutes, mais j’ai pensé qu’un article complet serait plus utile qu’une lettre à chaque fois.",
];

export const paidParts = [
  "## Le détail\n\nVoici les proportions exactes que j’utilise, pesées pour 1 kg de mélange sec :\n\n| Matière | Grammes |\n| --- | --- |\n| Feldspath potassique | 400 |\n| Silice | 250 |\n| Kaolin | 150 |\n| Craie | 200 |\n\nJ’ajoute ensuite l’oxyde au dernier moment, après tamisage à 80 mesh.",
  "## Pas à pas\n\n1. Préparez la pièce la veille, à consistance cuir.\n2. Travaillez à vitesse lente, les coudes calés sur les cuisses.\n3. Revenez trois fois sur la même zone plutôt qu’une fois en appuyant.\n\n> Le bon geste est celui qu’on peut répéter cent fois sans fatigue.",
  "## Ce que j’ai mesuré\n\nSur les douze dernières fournées, j’ai relevé les températures toutes les quinze minutes. La montée entre 900 et 1 100 °C est celle qui décide de tout : trop rapide, l’émail bulle ; trop lente, il s’éteint.\n\nJe vous partage ici mon tableau complet et mes réglages de brûleurs.",
];

export const commentsPool = [
  "Merci Camille, c’est exactement ce qu’il me manquait pour comprendre mes ratés !",
  "J’ai essayé la semaine dernière, ça marche. Mon bol tient enfin debout.",
  "Est-ce que ça fonctionne aussi avec une terre plus chamottée ?\nJ’utilise une terre de Saint-Amand.",
  "Quel plaisir de lire ces lettres, on s’y croirait.",
  "J’ai tellement hâte du prochain stage.",
  "Et pour un four électrique, vous ajusteriez comment ?",
  "Votre carnet de ratés me réconcilie avec les miens.",
  "Merci pour la transparence sur les prix, c’est rare.",
];
