/** Every state change of the offers admin, as operations (see platform/operations.ts). */
export {
  createOffer,
  saveOffer,
  setOfferStatus,
  addOfferPrice,
  toggleOfferPrice,
  setOfferIncludesLines,
} from "./editor.ts";
export { refundOrder, cancelSubscription, setPaymentSettings } from "./sales.ts";
export { createDiscount, toggleDiscount } from "./discounts.ts";
export { grantAccess, revokeAccess } from "./access.ts";
export { slugify } from "./schemas.ts";
