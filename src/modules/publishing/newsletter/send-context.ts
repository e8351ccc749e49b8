import type Mail from "nodemailer/lib/mailer";
import type { Resource } from "../../access/index.ts";
import { ownerEmail } from "../../staff/index.ts";
import type { Locale } from "../../../platform/i18n/index.ts";
import { errorFields, log } from "../../../platform/log.ts";
import { getSiteSettings, type SiteSettings } from "../../../platform/settings.ts";
import { getPostForSending, type PostForSending } from "../service.ts";
import { getSend, trackingEnabled } from "./engine.ts";
import { compileTemplate, type MessageTemplate, type TemplateTokens } from "./prebuilt.ts";
import { renderVariant, type Variant } from "./render.ts";
import type { SendServices } from "./runtime.ts";

/*
 * What every batch of one send shares (the post, the site, the rendered variants and compiled
 * templates), cached per process for a minute so that a 100,000-recipient send renders each
 * variant once. The services come from the job that asks (ctx.services).
 */

export interface SendContext {
  send: NonNullable<Awaited<ReturnType<typeof getSend>>>;
  post: PostForSending | undefined;
  site: SiteSettings;
  config: SendServices["config"];
  secret: string;
  resource: Resource | undefined;
  replyTo: string | undefined;
  tracking: boolean;
  variants: Map<string, Variant>;
  templates: Map<string, Promise<MessageTemplate | null>>;
  at: number;
}

const contexts = new Map<string, SendContext>();

export async function sendContext(s: SendServices, sendId: string): Promise<SendContext | undefined> {
  const { db } = s;
  const hit = contexts.get(sendId);
  if (hit && s.clock.nowMs() - hit.at < 60_000) return hit;
  const send = await getSend(db, sendId);
  if (!send) return undefined;
  const [post, site, tracking] = await Promise.all([
    getPostForSending(db, send.post_id),
    getSiteSettings(db),
    trackingEnabled(db),
  ]);
  let replyTo = site.contactEmail || undefined;
  if (!replyTo) replyTo = await ownerEmail(db);
  const ctx: SendContext = {
    send,
    post,
    site,
    config: s.config,
    secret: s.secret,
    resource: post ? { kind: "post", id: post.id, audience: post.audience } : undefined,
    replyTo,
    tracking,
    variants: new Map(),
    templates: new Map(),
    at: s.clock.nowMs(),
  };
  contexts.set(sendId, ctx);
  return ctx;
}

export function variantFor(ctx: SendContext, locale: Locale, full: boolean): Variant {
  const key = `${locale}:${full ? 1 : 0}`;
  let v = ctx.variants.get(key);
  if (!v) {
    v = renderVariant({
      post: ctx.post!,
      subject: ctx.send.subject,
      site: ctx.site,
      locale,
      full,
      publicUrl: ctx.config.publicUrl,
      secret: ctx.secret,
      sendId: ctx.send.id,
      tracking: ctx.tracking,
    });
    ctx.variants.set(key, v);
  }
  return v;
}

export function templateFor(
  ctx: SendContext,
  locale: Locale,
  full: boolean,
  mail: (t: TemplateTokens) => Mail.Options,
  lengths: { unsub: number; track: number },
): Promise<MessageTemplate | null> {
  const key = `${locale}:${full ? 1 : 0}:${lengths.unsub}:${lengths.track}`;
  let t = ctx.templates.get(key);
  if (!t) {
    t = compileTemplate(mail, lengths).catch((err: unknown) => {
      log.warn("newsletter template not compiled; composing each message", {
        sendId: ctx.send.id,
        ...errorFields(err),
      });
      return null;
    });
    ctx.templates.set(key, t);
  }
  return t;
}
