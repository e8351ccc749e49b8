/**
 * Video embeds by URL: a YouTube, Vimeo or PeerTube page address is turned
 * into the player address of that host, and nothing else is ever put in an
 * iframe. The stored value is the normalised player URL (https, the video id
 * checked character by character); the lesson page allows frames from that
 * one origin only (its CSP), so a typed URL cannot frame anything else.
 */

export interface Embed {
  /** The iframe's src. */
  src: string;
  /** The origin the lesson page's CSP lets frame. */
  origin: string;
  provider: "youtube" | "vimeo" | "peertube";
}

const youtubeId = /^[A-Za-z0-9_-]{11}$/;
const vimeoId = /^\d{1,12}$/;
// PeerTube: a UUID or a short id (base58, 22 characters).
const peertubeId = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[1-9A-HJ-NP-Za-km-z]{22})$/;
const hostName = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The embed for a page or player URL, or null when it is not a video of these hosts. */
export function parseEmbed(input: string): Embed | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.port) return null;
  const host = url.hostname.toLowerCase().replace(/^www\.|^m\./, "");
  const parts = url.pathname.split("/").filter(Boolean);
  if (host === "youtube.com" || host === "youtube-nocookie.com" || host === "youtu.be") {
    const id =
      host === "youtu.be"
        ? parts[0]
        : parts[0] === "watch"
          ? (url.searchParams.get("v") ?? undefined)
          : ["embed", "shorts", "live", "v"].includes(parts[0] ?? "")
            ? parts[1]
            : undefined;
    if (!id || !youtubeId.test(id)) return null;
    return {
      src: `https://www.youtube-nocookie.com/embed/${id}`,
      origin: "https://www.youtube-nocookie.com",
      provider: "youtube",
    };
  }
  if (host === "vimeo.com" || host === "player.vimeo.com") {
    const id =
      host === "player.vimeo.com" ? (parts[0] === "video" ? parts[1] : undefined) : parts.find((p) => vimeoId.test(p));
    if (!id || !vimeoId.test(id)) return null;
    return { src: `https://player.vimeo.com/video/${id}`, origin: "https://player.vimeo.com", provider: "vimeo" };
  }
  // PeerTube instances live on any host: recognised by their paths (/w/ID, /videos/watch/ID, /videos/embed/ID).
  const id =
    parts[0] === "w" && parts.length === 2
      ? parts[1]
      : parts[0] === "videos" && (parts[1] === "watch" || parts[1] === "embed") && parts.length === 3
        ? parts[2]
        : undefined;
  if (!id || !peertubeId.test(id) || !hostName.test(host) || url.hostname !== url.hostname.toLowerCase()) return null;
  const origin = `https://${url.hostname}`;
  return { src: `${origin}/videos/embed/${id}`, origin, provider: "peertube" };
}

/** The lesson page's CSP with frames allowed from the embed's origin only. */
export function cspWithFrame(origin: string): string {
  return `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src ${origin}; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`;
}
