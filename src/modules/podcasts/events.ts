import { z } from "zod";
import { defineEvent } from "../../platform/events/index.ts";

/**
 * The podcasts module's event types. Payloads carry titles as they were, so a
 * member's timeline reads « A écouté « Épisode 3 » » even after a rename.
 * Downloads themselves are rows of podcast_downloads (many per day); only a
 * member's first download of an episode is an event on their timeline.
 */

const q = (title: string, fr: boolean) => (fr ? `« ${title} »` : `“${title}”`);

export const showSaved = defineEvent({
  type: "podcast.show_saved",
  version: 1,
  payload: z.object({ showId: z.string(), title: z.string(), created: z.boolean() }),
  example: { showId: "0190a000-0000-7000-8000-000000000001", title: "Les Voix de l’atelier", created: true },
  timeline: {
    fr: (p) => (p.created ? `Podcast ${q(p.title, true)} créé` : `Podcast ${q(p.title, true)} modifié`),
    en: (p) => (p.created ? `Podcast ${q(p.title, false)} created` : `Podcast ${q(p.title, false)} edited`),
  },
});

export const episodeSaved = defineEvent({
  type: "podcast.episode_saved",
  version: 1,
  payload: z.object({
    episodeId: z.string(),
    showId: z.string(),
    title: z.string(),
    status: z.enum(["draft", "published", "scheduled"]),
    audioChanged: z.boolean(),
  }),
  example: {
    episodeId: "0190a000-0000-7000-8000-000000000002",
    showId: "0190a000-0000-7000-8000-000000000001",
    title: "Tourner un bol",
    status: "published",
    audioChanged: true,
  },
  timeline: {
    fr: (p) =>
      p.status === "published"
        ? `Épisode ${q(p.title, true)} publié`
        : p.status === "scheduled"
          ? `Épisode ${q(p.title, true)} programmé`
          : `Épisode ${q(p.title, true)} enregistré en brouillon`,
    en: (p) =>
      p.status === "published"
        ? `Episode ${q(p.title, false)} published`
        : p.status === "scheduled"
          ? `Episode ${q(p.title, false)} scheduled`
          : `Episode ${q(p.title, false)} saved as a draft`,
  },
});

export const feedRotated = defineEvent({
  type: "podcast.feed_rotated",
  version: 1,
  payload: z.object({ feedId: z.string(), showTitle: z.string(), reason: z.enum(["member", "staff", "automatic"]) }),
  example: { feedId: "0190a000-0000-7000-8000-000000000003", showTitle: "Les Voix de l’atelier", reason: "staff" },
  timeline: {
    fr: (p) =>
      p.reason === "member"
        ? `A réinitialisé son lien privé du podcast ${q(p.showTitle, true)}`
        : p.reason === "automatic"
          ? `Lien privé du podcast ${q(p.showTitle, true)} remplacé automatiquement (partage détecté)`
          : `Lien privé du podcast ${q(p.showTitle, true)} remplacé par l’équipe`,
    en: (p) =>
      p.reason === "member"
        ? `Reset their private link to the podcast ${q(p.showTitle, false)}`
        : p.reason === "automatic"
          ? `Private link to the podcast ${q(p.showTitle, false)} replaced automatically (sharing detected)`
          : `Private link to the podcast ${q(p.showTitle, false)} replaced by the team`,
  },
});

export const feedFlagged = defineEvent({
  type: "podcast.feed_flagged",
  version: 1,
  payload: z.object({ alertId: z.string(), showTitle: z.string(), networks: z.number().int(), apps: z.number().int() }),
  example: {
    alertId: "0190a000-0000-7000-8000-000000000004",
    showTitle: "Les Voix de l’atelier",
    networks: 7,
    apps: 3,
  },
  timeline: {
    fr: (p) =>
      `Lien privé du podcast ${q(p.showTitle, true)} lu depuis ${p.networks} réseaux et ${p.apps} applis en 24 h`,
    en: (p) =>
      `Private link to the podcast ${q(p.showTitle, false)} read from ${p.networks} networks and ${p.apps} apps in 24 h`,
  },
});

export const episodeListened = defineEvent({
  type: "podcast.episode_listened",
  version: 1,
  payload: z.object({ episodeId: z.string(), title: z.string(), app: z.string() }),
  example: { episodeId: "0190a000-0000-7000-8000-000000000002", title: "Tourner un bol", app: "Overcast" },
  timeline: {
    fr: (p) => `A téléchargé l’épisode ${q(p.title, true)} (${p.app})`,
    en: (p) => `Downloaded the episode ${q(p.title, false)} (${p.app})`,
  },
});

export const podcastsEvents = [showSaved, episodeSaved, feedRotated, feedFlagged, episodeListened];
