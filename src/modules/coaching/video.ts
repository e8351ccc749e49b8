import { randomBytes } from "node:crypto";
import type { CoachingSettings } from "./settings.ts";

/**
 * The meeting link of a booking. Jitsi: a room name of 128 random bits
 * (unguessable, so the room is as private as the link), on meet.jit.si or the
 * creator's own Jitsi server; or the fixed link the creator pasted.
 */
export function meetingLink(s: Pick<CoachingSettings, "video_mode" | "jitsi_base_url" | "fixed_link">): string {
  if (s.video_mode === "fixed" && s.fixed_link) return s.fixed_link;
  const base = (s.jitsi_base_url || "https://meet.jit.si").replace(/\/+$/, "");
  return `${base}/Atelier-${randomBytes(16).toString("base64url")}`;
}
