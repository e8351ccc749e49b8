import { z } from "zod";
import { defineEvent } from "../../platform/events/index.ts";

/** The portability module's event types. */

export const memberImported = defineEvent({
  type: "member.imported",
  version: 1,
  payload: z.object({
    source: z.string(),
    importId: z.string(),
    line: z.number().int(),
    changes: z.array(z.string()),
  }),
  example: { source: "substack", importId: "i", line: 12, changes: ["name", "tier"] },
  timeline: {
    fr: (p, f) =>
      `Mis à jour par un import (${p.source}, ligne ${p.line})${p.changes.length ? ` : ${f.list(p.changes)}` : ""}`,
    en: (p, f) =>
      `Updated by an import (${p.source}, line ${p.line})${p.changes.length ? `: ${f.list(p.changes)}` : ""}`,
  },
});
