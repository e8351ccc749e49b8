import fs from "node:fs";
import path from "node:path";

/** Helpers shared by the site module's tests (not imported by the app). */

/** A real 1×1 PNG. */
export const png1x1 = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
);
export const svgLogo = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
);

export interface Upload {
  bytes: Uint8Array;
  name: string;
  type: string;
}

/** A multipart body as a browser sends it (files included). */
export function multipart(fields: Record<string, string>, files: Record<string, Upload> = {}): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const [k, f] of Object.entries(files)) fd.append(k, new Blob([Buffer.from(f.bytes)], { type: f.type }), f.name);
  return fd;
}

/** Every file stored under a files directory (recursively). */
export function filesOnDisk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesOnDisk(full));
    else out.push(full);
  }
  return out;
}

/** A valid, complete setup form. */
export function setupFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ownerName: "Camille Roux",
    email: "camille@atelier.test",
    password: "une phrase de passe solide",
    passwordConfirm: "une phrase de passe solide",
    siteName: "L’atelier de Camille",
    tagline: "Céramique et transmission",
    story: "J’ai ouvert mon atelier pour **transmettre**.",
    locale: "fr",
    currency: "EUR",
    timeZone: "Europe/Paris",
    accentColor: "#2a6fb4",
    ...overrides,
  };
}
