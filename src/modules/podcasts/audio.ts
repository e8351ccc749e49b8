import { parseFile } from "music-metadata";
import { AppError } from "../../platform/http/errors.ts";

/**
 * Audio files: the type is decided from the first bytes (never the name or
 * the browser's claim), then duration and bitrate are read from the file
 * itself with music-metadata. Only what podcast apps all play is accepted:
 * MP3 and M4A/AAC. A WAV, a PNG renamed .mp3 or a file whose frames cannot
 * be read is refused with a translated 4xx before anything is kept.
 */
export type AudioMime = "audio/mpeg" | "audio/mp4";

/** Largest episode file (streamed to disk, never held in memory). */
export const MAX_AUDIO_BYTES = 500 * 1024 * 1024;

export function sniffAudio(b: Uint8Array): AudioMime | null {
  if (b.length >= 3 && b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) return "audio/mpeg"; // ID3 tag
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0) return "audio/mpeg"; // frame sync, a layer
  if (b.length >= 12 && String.fromCharCode(...b.subarray(4, 8)) === "ftyp") {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (/^(M4A |M4B |mp42|isom|mp41|iso2|dash)$/.test(brand)) return "audio/mp4";
  }
  return null;
}

/** A RIFF/WAVE header (refused by name in the message: creators often try WAV first). */
export function isWav(b: Uint8Array): boolean {
  return (
    b.length >= 12 &&
    String.fromCharCode(...b.subarray(0, 4)) === "RIFF" &&
    String.fromCharCode(...b.subarray(8, 12)) === "WAVE"
  );
}

export const audioExtension = (mime: string) => (mime === "audio/mp4" ? "m4a" : "mp3");

export interface AudioFacts {
  durationS: number;
  bitrate: number;
}

/** Duration and bitrate read from the file; a file they cannot be read from is a 422. */
export async function probeAudio(filePath: string, mime: AudioMime): Promise<AudioFacts> {
  try {
    const meta = await parseFile(filePath, { duration: true, skipCovers: true });
    const duration = meta.format.duration;
    if (!duration || !Number.isFinite(duration) || duration <= 0) throw new Error("no duration");
    const container = (meta.format.container ?? "").toLowerCase();
    if (mime === "audio/mpeg" && !container.includes("mpeg")) throw new Error(`container ${container}`);
    return { durationS: Math.max(1, Math.round(duration)), bitrate: Math.round(meta.format.bitrate ?? 0) };
  } catch {
    throw new AppError("invalid_input", 422, "podcasts.error.audio_unreadable");
  }
}

/**
 * A silent MPEG-1 Layer III file of about `seconds` seconds (128 kb/s,
 * 44.1 kHz): valid frames with empty side information decode as silence.
 * Used by the demo and the tests, so the repository holds no audio file.
 */
export function silentMp3(seconds: number): Buffer {
  const frameBytes = 417; // 144 * 128000 / 44100, no padding
  const frames = Math.max(1, Math.round((seconds * 44100) / 1152));
  const frame = Buffer.alloc(frameBytes);
  frame.writeUInt32BE(0xfffb9064, 0); // sync, MPEG-1, layer III, no CRC, 128 kb/s, 44.1 kHz, joint stereo
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** The same silent stream, of about `bytes` bytes (range tests on a large file). */
export function silentMp3OfSize(bytes: number): Buffer {
  return silentMp3((Math.ceil(bytes / 417) * 1152) / 44100);
}
