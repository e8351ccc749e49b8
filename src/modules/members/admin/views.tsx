import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { t as translate, type Locale } from "../../../platform/i18n/index.ts";

const knownSources = new Set(["signup", "checkout", "gift", "admin", "staff", "import", "test"]);

/** Where a member came from, in words ("import:substack" → "Imported from Substack"). */
export function sourceLabel(locale: Locale, source: string): string {
  if (source.startsWith("import:")) {
    const platform = source.slice(7);
    const name = platform === "csv" ? "CSV" : platform.charAt(0).toUpperCase() + platform.slice(1);
    return translate(locale, "members.admin.source.importFrom", { platform: name });
  }
  return translate(locale, `members.admin.source.${knownSources.has(source) ? source : "other"}`);
}

/*
 * The owner's member screens (list-view.tsx, member-view.tsx, member-form.tsx) and the bits they share.
 * Every value from a member is rendered as text (hono/jsx escapes it).
 */

export function displayName(c: AppContext, m: { name: string }): string {
  return m.name || tr(c)("members.admin.noName");
}

export function StatusBadge({ c, status }: { c: AppContext; status: "pending" | "active" }) {
  return <span class={status === "active" ? "badge ok" : "badge warn"}>{tr(c)(`members.admin.status.${status}`)}</span>;
}
