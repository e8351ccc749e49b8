import { z } from "zod";
import { AppError } from "../../platform/http/errors.ts";

/*
 * What a creator attaches to an episode besides audio: a transcript (SRT or
 * WebVTT, as Podcasting 2.0 apps read them) and JSON chapters. Both are
 * checked for their shape, so a feed never points an app at a broken file.
 */

export const MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024;
export const MAX_CHAPTERS_BYTES = 256 * 1024;

export type TranscriptType = "srt" | "vtt";

const cue = /\d{2}:\d{2}(?::\d{2})?[.,]\d{3}\s*-->\s*\d{2}:\d{2}(?::\d{2})?[.,]\d{3}/;

export function checkTranscript(text: string): TranscriptType {
  const s = text.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n");
  if (s.startsWith("WEBVTT") && cue.test(s)) return "vtt";
  if (/^\d+\n\d{2}:\d{2}:\d{2},\d{3}\s*-->\s*\d{2}:\d{2}:\d{2},\d{3}/.test(s.trimStart())) return "srt";
  throw new AppError("invalid_input", 422, "podcasts.error.transcript");
}

export const transcriptMime = (t: string) => (t === "vtt" ? "text/vtt" : "application/x-subrip");

/** The text of a transcript (cue numbers and timings dropped) for the episode page. */
export function transcriptText(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((block) =>
      block
        .split("\n")
        .filter((l) => l && !/^\d+$/.test(l) && !cue.test(l) && !l.startsWith("WEBVTT") && !/^NOTE\b/.test(l))
        .join(" ")
        .replace(/<[^>]*>/g, "")
        .trim(),
    )
    .filter(Boolean);
}

const chaptersSchema = z.object({
  version: z.string().max(20),
  chapters: z
    .array(
      z.object({
        startTime: z.number().min(0),
        endTime: z.number().min(0).optional(),
        title: z.string().max(500).optional(),
        img: z.string().url().max(2000).optional(),
        url: z.string().url().max(2000).optional(),
        toc: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(1000),
});

/** Parses JSON chapters; returns them re-serialised (only the known fields). */
export function checkChapters(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_input", 422, "podcasts.error.chapters");
  }
  const parsed = chaptersSchema.safeParse(value);
  if (!parsed.success) throw new AppError("invalid_input", 422, "podcasts.error.chapters");
  return JSON.stringify(parsed.data);
}
