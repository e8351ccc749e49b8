import type Mail from "nodemailer/lib/mailer";
import type { TemplateTokens } from "./prebuilt.ts";
import { personalise, type Variant } from "./render.ts";

/** What every message of one send shares, headers included (deliver.ts builds it once per batch). */
export interface MessageFrame {
  publicUrl: string;
  from: { name: string; address: string };
  replyTo: string | undefined;
  subject: string;
  siteName: string;
  host: string;
}

/** RFC 2919: the id in angle brackets stays plain ASCII, so the phrase is made ASCII too. */
export function listIdHeader(siteName: string, host: string): { prepared: true; value: string } {
  const phrase = siteName
    .replace(/[’‘]/g, "'")
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/["\\<>]/g, "")
    .trim()
    .slice(0, 60);
  // Passed "prepared": nodemailer would otherwise encode the whole value.
  return { prepared: true, value: `${phrase ? `"${phrase}" ` : ""}<newsletter.${host}>` };
}

/**
 * One recipient's newsletter email as nodemailer options (To and Message-ID aside): the
 * variant with the recipient's links, List-Unsubscribe (RFC 8058 one-click) and List-Id.
 * The slow path composes exactly this; prebuilt.ts compiles it once with placeholder tokens.
 */
export function newsletterMail(frame: MessageFrame, variant: Variant, t: TemplateTokens): Mail.Options {
  const unsubUrl = `${frame.publicUrl}/unsubscribe?token=${t.unsubToken}`;
  const body = personalise(variant, unsubUrl, t.trackToken);
  return {
    from: frame.from,
    replyTo: frame.replyTo,
    subject: frame.subject,
    html: body.html,
    text: body.text,
    headers: {
      "List-Unsubscribe": `<${unsubUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "List-Id": listIdHeader(frame.siteName, frame.host),
    },
    textEncoding: "quoted-printable",
  };
}
