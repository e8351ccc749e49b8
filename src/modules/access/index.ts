import { defineModule } from "../../platform/module.ts";
import { registerStats } from "../../platform/http/stats.ts";
import { registerEraseHook } from "../members/index.ts";
import { eraseEntitlements } from "./entitlements.ts";
import { accessTables } from "./tables.ts";
import { accessCacheStats } from "./policy.ts";

/** The access policy: one place decides who may see what (see policy.ts). */
export {
  canAccess,
  filterAccessible,
  membersWithAccess,
  invalidateAccessCache,
  ACCESS_CACHE_MS,
  accessEpoch,
  accessChangedSince,
  nextAccessBoundary,
  accessStamp,
  decide,
  holdingsOf,
  viewerOf,
  anonymous,
  type Viewer,
  type Resource,
  type Audience,
  type Holdings,
  registerOfferTerms,
  type OfferTerms,
} from "./policy.ts";
export {
  grantEntitlement,
  revokeSource,
  revokeEntitlement,
  memberEntitlements,
  allMemberEntitlements,
  countLiveHolders,
  holdsOfferSql,
  importEntitlement,
  offerTermsChanged,
  isLive,
  type Entitlement,
  type GrantInput,
  type SourceKind,
} from "./entitlements.ts";

/** Access: the one policy, and entitlements (what a member holds) with their one grant/revoke path. */
export const accessModule = defineModule({
  name: "access",
  tables: accessTables,
  routes() {
    registerEraseHook((trx, member) => eraseEntitlements(trx, member.id));
    registerStats("accessCache", () => ({ ...accessCacheStats }));
  },
});
