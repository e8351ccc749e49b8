import type { Db } from "../../platform/db/index.ts";
import { getSiteSettings, updateSiteSettings } from "../../platform/settings.ts";
import { storeBytes, type Storage } from "../../platform/storage/index.ts";

/*
 * The demo creator's portrait and cover, drawn as SVG and turned into JPEG
 * by sharp, so `npm run demo` shows a home page with real images and the
 * repository carries no photo.
 */

const coverSvg = (w: number, h: number) => `
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 1600 600">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#f3d9bf"/><stop offset="1" stop-color="#e2a77f"/>
    </linearGradient>
    <linearGradient id="shelf" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#7a4a2c"/><stop offset="1" stop-color="#5a3420"/>
    </linearGradient>
  </defs>
  <rect width="1600" height="600" fill="url(#sky)"/>
  <circle cx="1290" cy="170" r="95" fill="#fbeee0" opacity="0.7"/>
  <path d="M0 430 C 300 380 500 460 800 420 S 1300 380 1600 430 V600 H0Z" fill="#c97b52" opacity="0.55"/>
  <rect y="470" width="1600" height="130" fill="url(#shelf)"/>
  <g transform="translate(180 250)">
    <path d="M40 0 h80 c0 40 40 60 40 120 c0 60 -40 100 -80 100 s-80 -40 -80 -100 c0 -60 40 -80 40 -120z" fill="#b4532a"/>
    <rect x="34" y="-12" width="92" height="16" rx="6" fill="#8f3f1f"/>
  </g>
  <g transform="translate(470 300)">
    <ellipse cx="90" cy="100" rx="110" ry="70" fill="#2f5d62"/>
    <rect x="30" y="20" width="120" height="20" rx="8" fill="#24484c"/>
  </g>
  <g transform="translate(800 230)">
    <path d="M20 0 h100 l-10 240 h-80z" fill="#e9e2d3"/>
    <path d="M20 0 h100 l-3 70 h-94z" fill="#6f8f72"/>
  </g>
  <g transform="translate(1050 320)">
    <path d="M0 40 q80 -70 160 0 l-20 110 h-120z" fill="#d9a441"/>
  </g>
  <g transform="translate(1310 280)">
    <ellipse cx="70" cy="95" rx="70" ry="95" fill="#9c4f2e"/>
    <ellipse cx="70" cy="8" rx="34" ry="10" fill="#6e3520"/>
  </g>
</svg>`;

const portraitSvg = (size: number) => `
<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 600 600">
  <defs>
    <radialGradient id="bg" cx="0.35" cy="0.3" r="0.9">
      <stop offset="0" stop-color="#f6e3cf"/><stop offset="1" stop-color="#d89a72"/>
    </radialGradient>
  </defs>
  <rect width="600" height="600" fill="url(#bg)"/>
  <path d="M90 600 C 110 430 200 380 300 380 S 490 430 510 600Z" fill="#2f5d62"/>
  <path d="M250 330 h100 v70 c0 25 -100 25 -100 0z" fill="#e8b894"/>
  <ellipse cx="300" cy="250" rx="105" ry="125" fill="#f0c6a2"/>
  <path d="M190 250 C 180 120 260 95 310 100 C 390 105 430 160 412 260 C 400 200 360 170 300 165 C 240 170 205 200 190 250Z" fill="#5a3420"/>
  <path d="M405 240 C 440 300 430 380 395 420 C 410 360 410 300 400 260Z" fill="#5a3420"/>
  <ellipse cx="262" cy="258" rx="9" ry="11" fill="#3a2418"/>
  <ellipse cx="340" cy="258" rx="9" ry="11" fill="#3a2418"/>
  <path d="M268 318 q32 22 64 0" stroke="#a8553a" stroke-width="7" fill="none" stroke-linecap="round"/>
  <path d="M150 600 C 170 500 230 470 300 470 S 430 500 450 600Z" fill="#b4532a" opacity="0.9"/>
</svg>`;

/** JPEG bytes of the demo cover (wide) and portrait (square). */
export async function demoImages(): Promise<{ cover: Uint8Array; portrait: Uint8Array }> {
  const sharp = (await import("sharp")).default;
  const jpeg = async (svg: string) => new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer());
  return { cover: await jpeg(coverSvg(1600, 600)), portrait: await jpeg(portraitSvg(600)) };
}

/** Gives the demo site a portrait and a cover unless the creator already chose some (idempotent). */
export async function seedDemoImages(db: Db, storage: Storage): Promise<boolean> {
  const site = await getSiteSettings(db);
  if (site.portraitFileId || site.coverFileId) return false;
  const { cover, portrait } = await demoImages();
  const coverFile = await storeBytes(db, storage, { bytes: cover, mime: "image/jpeg", purpose: "cover" });
  const portraitFile = await storeBytes(db, storage, { bytes: portrait, mime: "image/jpeg", purpose: "portrait" });
  await updateSiteSettings(db, { coverFileId: coverFile.id, portraitFileId: portraitFile.id });
  return true;
}
