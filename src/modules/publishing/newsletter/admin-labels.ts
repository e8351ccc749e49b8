import { t, type Locale } from "../../../platform/i18n/index.ts";
import { type PostForSending } from "../service.ts";
import { type Segment } from "./segments.ts";

/* Words the admin send pages share: a send's state badge, its segment and a post's audience. */
export const stateBadge: Record<string, string> = {
  scheduled: "badge",
  sending: "badge warn",
  finished: "badge ok",
  cancelled: "badge danger",
};

export function segmentLabel(locale: Locale, segment: Segment, tierNames: Map<string, string>): string {
  if (segment.kind === "tiers")
    return `${t(locale, "newsletter.segment.tiers")} ${segment.offers.map((id) => tierNames.get(id) ?? id).join(", ")}`;
  if (segment.kind === "tags") return `${t(locale, "newsletter.segment.tags")} ${segment.tags.join(", ")}`;
  return t(locale, `newsletter.segment.${segment.kind}`);
}

export function audienceLabel(locale: Locale, post: PostForSending): string {
  const a = post.audience;
  return t(locale, `newsletter.audience.${typeof a === "string" ? a : "offers"}`);
}
