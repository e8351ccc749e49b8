import type { TestApp } from "../../../test/support/app.ts";
import { systemActor } from "../../platform/actor.ts";
import { runOperation } from "../../platform/operations.ts";
import { grantEntitlement, revokeSource } from "../access/index.ts";
import { silentMp3 } from "./audio.ts";
import { checkAudioBytes } from "./files.ts";
import { saveEpisode, saveShow } from "./operations.ts";
import type { z } from "zod";
import type { episodeInput } from "./operations.ts";

/* Helpers shared by the podcasts tests. */

let n = 0;
const unique = () => `${++n}-${Math.random().toString(36).slice(2, 7)}`;

/** A valid square PNG cover (sharp), 1400 px unless told. */
export async function coverBytes(size = 1400, height = size): Promise<Uint8Array> {
  const sharp = (await import("sharp")).default;
  return new Uint8Array(
    await sharp({ create: { width: size, height, channels: 3, background: "#c8643c" } })
      .png()
      .toBuffer(),
  );
}

export async function makeShow(app: TestApp, title = `Podcast ${unique()}`): Promise<{ id: string; slug: string }> {
  return runOperation(app.running.services, saveShow, systemActor("test"), {
    title,
    description: "Un podcast d’atelier.",
    author: "Claire",
    language: "fr",
    categories: ["Arts", "Leisure > Crafts"],
    ownerEmail: "podcast@atelier.test",
    shareLimit: "5",
    cover: await coverBytes(),
  });
}

type EpisodeInput = Partial<z.input<typeof episodeInput>>;

/** An episode with a few seconds of generated audio (or `audio` bytes), published now unless told. */
export async function makeEpisode(
  app: TestApp,
  showId: string,
  input: EpisodeInput & { audioBytes?: Uint8Array } = {},
): Promise<{ id: string }> {
  const { audioBytes, ...rest } = input;
  const services = app.running.services;
  const audio =
    rest.id && !audioBytes ? undefined : await checkAudioBytes(services.config.filesDir, audioBytes ?? silentMp3(3));
  return runOperation(services, saveEpisode, systemActor("test"), {
    showId,
    title: `Épisode ${unique()}`,
    notes: "Des notes.",
    publish: "now",
    audio,
    ...rest,
  });
}

/** Grants a member a tier through a subscription source the test can revoke. */
export async function subscribe(app: TestApp, memberId: string, tierId: string): Promise<string> {
  const sourceId = `sub-${unique()}`;
  await grantEntitlement(app.db, {
    memberId,
    resourceKind: "offer",
    resourceId: tierId,
    sourceKind: "subscription",
    sourceId,
    startsAt: "2020-01-01T00:00:00.000Z",
  });
  return sourceId;
}

export async function unsubscribe(app: TestApp, sourceId: string, reason = "canceled"): Promise<void> {
  await revokeSource(app.db, "subscription", sourceId, reason);
}

/** The member's private feed path, read from their "Listen in your app" page. */
export function feedPathIn(html: string): string {
  const m = /value="https?:\/\/[^/"]+(\/podcasts\/feed\/[A-Za-z0-9_-]{43}\.xml)"/.exec(html);
  if (!m) throw new Error("no private feed URL on the page");
  return m[1]!;
}
