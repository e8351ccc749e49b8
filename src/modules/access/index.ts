/** The access policy: one place decides who may see what (see policy.ts). */
export {
  canAccess,
  filterAccessible,
  membersWithAccess,
  invalidateAccessCache,
  ACCESS_CACHE_MS,
  decide,
  holdingsOf,
  viewerOf,
  anonymous,
  type Viewer,
  type Resource,
  type Audience,
  type Holdings,
} from "./policy.ts";
