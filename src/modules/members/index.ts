import type { AtelierModule } from "../../platform/http/app.tsx";
import { registerRecurringJob } from "../../platform/jobs/index.ts";
import { accountRoutes } from "./account.tsx";
import { membersMessages } from "./i18n.ts";
import { memberAdminMessages, memberAdminRoutes } from "./admin/index.ts";
import { joinRoutes } from "./join.tsx";
import { pruneLinks } from "./links.ts";
import { loginRoutes } from "./login.tsx";
import { registerMemberMails } from "./mail.ts";

export {
  getMember,
  findMemberByEmail,
  createMember,
  updateMember,
  eraseMember,
  currentMember,
  toMember,
  normalizeEmail,
  recordConsent,
  consentWordingFor,
  registerEraseHook,
  type Member,
  type MemberRow,
  type MemberPatch,
  type CreateMemberInput,
  type MemberStatus,
  type Actor,
} from "./service.ts";
export {
  registerAccountSection,
  registerAccountExport,
  type AccountSectionRender,
  type AccountExporter,
} from "./extensions.ts";
export { createMembersBulk, membersByEmail, tagsOfMembers, type BulkMemberInput } from "./bulk.ts";
export { createLink } from "./links.ts";
export { sendLinkMail, type MemberMailKind } from "./mail.ts";
export { parseTags, memberTags, allMemberTags, setMemberTags, maxTagsPerMember } from "./tags.ts";

/** Members: join with double opt-in, magic-link login, the account page. */
export const membersModule: AtelierModule = {
  name: "members",
  // The owner's screens (./admin, keys "members.admin.*") are mounted with this module.
  messages: {
    fr: { ...membersMessages.fr, ...memberAdminMessages.fr },
    en: { ...membersMessages.en, ...memberAdminMessages.en },
  },
  routes(app) {
    memberAdminRoutes(app);
    joinRoutes(app);
    loginRoutes(app);
    accountRoutes(app);
  },
  jobs() {
    registerMemberMails();
    registerRecurringJob("members.prune_links", 3600_000, async (_payload, ctx) => {
      await pruneLinks(ctx.db);
    });
  },
};
