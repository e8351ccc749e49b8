import { defineModule } from "../../platform/module.ts";
import { membersTables } from "./tables.ts";
import { accountRoutes } from "./account.tsx";
import { membersMessages } from "./i18n.ts";
import { memberAdminMessages, memberAdminRoutes } from "./admin/index.ts";
import { joinRoutes } from "./join.tsx";
import { membersJobs } from "./jobs.ts";
import { loginRoutes } from "./login.tsx";

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
export { memberLoginUrl, createLink } from "./links.ts";
export { requestGiftLink } from "./requests.ts";
export { sendLinkMail, type MemberMailKind } from "./mail.ts";
export { parseTags, memberTags, allMemberTags, setMemberTags, maxTagsPerMember } from "./tags.ts";
export {
  memberExists,
  existingMembers,
  memberContacts,
  memberContactByEmail,
  memberSql,
  memberNames,
  oldestActiveMembers,
  allMemberEmails,
  importMembers,
  type MemberConsentRow,
  type MemberContact,
} from "./queries.ts";
export { memberStats, newMembersPerWeek, weekStart, type MemberStats, type WeekBucket } from "./stats.ts";
export { pruneLinks } from "./links.ts";
export { memberJoined, membersEvents } from "./events.ts";
export {
  registerMemberMoney,
  registerMemberFileSection,
  payingStatuses,
  type MemberMoney,
  type MemberMoneyProvider,
  type MemberFileSectionRender,
  type PayingStatus,
} from "./admin/money.ts";

/** Members: join with double opt-in, magic-link login, the account page. */
export const membersModule = defineModule({
  name: "members",
  tables: membersTables,
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
  jobs: membersJobs,
});
