import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Color, PDFFont, PDFPage } from "pdf-lib";

/**
 * The certificate as a PDF. The fonts are DejaVu Sans (regular and bold)
 * committed beside this file with their licence, embedded (subset) in each
 * PDF: accents (« Éloïse Müller ») render on a machine that has no fonts,
 * and no viewer has to substitute one.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const fontDir = path.join(here, "assets", "fonts");
let fonts: { regular: Uint8Array; bold: Uint8Array } | null = null;

function fontBytes(): { regular: Uint8Array; bold: Uint8Array } {
  fonts ??= {
    regular: fs.readFileSync(path.join(fontDir, "DejaVuSans.ttf")),
    bold: fs.readFileSync(path.join(fontDir, "DejaVuSans-Bold.ttf")),
  };
  return fonts;
}

// pdf-lib and fontkit load with the first certificate, not at every start of the server (about 130 ms).
type Fontkit = Parameters<import("pdf-lib").PDFDocument["registerFontkit"]>[0];
let pdfLibrary: Promise<[typeof import("pdf-lib"), Fontkit]> | null = null;
const loadPdfLibrary = () =>
  (pdfLibrary ??= Promise.all([
    import("pdf-lib"),
    // fontkit is CommonJS: imported dynamically, its object is the namespace's default.
    import("@pdf-lib/fontkit").then((m) => ((m as { default?: Fontkit }).default ?? m) as Fontkit),
  ]));

export interface CertificateText {
  siteName: string;
  heading: string;
  /** "This certifies that" */
  intro: string;
  studentName: string;
  /** "has completed the course" */
  completed: string;
  courseTitle: string;
  /** The completion date, already formatted in the student's language. */
  date: string;
  signerName: string;
  /** "Verification code: X — https://…/certificates/X" */
  verification: string;
  /** PNG or JPEG bytes of the creator's signature, if any. */
  signature?: { bytes: Uint8Array; mime: string } | null;
}

function centred(
  page: PDFPage,
  text: string,
  y: number,
  font: PDFFont,
  size: number,
  maxWidth: number,
  color: Color,
): void {
  let s = size;
  while (s > 8 && font.widthOfTextAtSize(text, s) > maxWidth) s -= 1;
  const width = font.widthOfTextAtSize(text, s);
  page.drawText(text, { x: (page.getWidth() - width) / 2, y, size: s, font, color });
}

/** Builds the PDF (A4 landscape). */
export async function certificatePdf(t: CertificateText): Promise<Uint8Array> {
  const [{ PDFDocument, rgb }, fontkit] = await loadPdfLibrary();
  const ink = rgb(0.15, 0.13, 0.12);
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const { regular, bold } = fontBytes();
  const font = await doc.embedFont(regular, { subset: true });
  const strong = await doc.embedFont(bold, { subset: true });
  doc.setTitle(`${t.heading} — ${t.courseTitle}`);
  doc.setAuthor(t.siteName);
  doc.setSubject(t.studentName);
  doc.setCreator("Atelier");
  doc.setProducer("Atelier");
  const page = doc.addPage([842, 595]);
  const w = page.getWidth();
  const accent = rgb(0.78, 0.39, 0.24);
  page.drawRectangle({ x: 24, y: 24, width: w - 48, height: 547, borderColor: accent, borderWidth: 2 });
  page.drawRectangle({ x: 32, y: 32, width: w - 64, height: 531, borderColor: accent, borderWidth: 0.5 });
  const max = w - 140;
  centred(page, t.siteName, 510, font, 14, max, ink);
  centred(page, t.heading, 455, strong, 30, max, ink);
  centred(page, t.intro, 400, font, 14, max, ink);
  centred(page, t.studentName, 355, strong, 34, max, ink);
  centred(page, t.completed, 310, font, 14, max, ink);
  centred(page, t.courseTitle, 270, strong, 22, max, ink);
  centred(page, t.date, 232, font, 13, max, ink);
  if (t.signature) {
    const img =
      t.signature.mime === "image/png" ? await doc.embedPng(t.signature.bytes) : await doc.embedJpg(t.signature.bytes);
    const scaled = img.scaleToFit(180, 60);
    page.drawImage(img, { x: (w - scaled.width) / 2, y: 140, width: scaled.width, height: scaled.height });
  }
  page.drawLine({ start: { x: w / 2 - 110, y: 134 }, end: { x: w / 2 + 110, y: 134 }, thickness: 0.7, color: accent });
  if (t.signerName) centred(page, t.signerName, 116, font, 13, max, ink);
  centred(page, t.verification, 56, font, 10, max, ink);
  return doc.save();
}
