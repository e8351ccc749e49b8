import { defineModule } from "../../platform/module.ts";
import { offersTables } from "./tables.ts";
import { offersMessages } from "./i18n.ts";
import { stripeWebhookRoutes } from "./webhooks.ts";
import { publicRoutes } from "./public.tsx";
import { devRoutes } from "./dev-routes.tsx";
import { accountRoutes, registerAccountExtensions } from "./account.tsx";
import { offersJobs } from "./jobs.ts";
import { adminRoutes } from "./admin.tsx";
import { registerNavLink } from "../../platform/views/layout.tsx";
import { memberFileRoutes } from "./member-file.tsx";
import { notifySettingsRoutes } from "./notify-settings.tsx";
import { registerOffersHomeSection } from "./home-section.tsx";

export {
  applyProviderEvent,
  getOrder,
  getSubscription,
  memberOrders,
  memberSubscriptions,
  RENEWAL_LEEWAY_MS,
  type ApplyResult,
} from "./fulfilment.ts";
export {
  startCheckout,
  quoteDiscount,
  giftClaimToken,
  MAX_AMOUNT,
  type CheckoutInput,
  type CheckoutStarted,
} from "./checkout.ts";
export {
  createOffer,
  updateOffer,
  addPrice,
  replacePrice,
  setPriceActive,
  getOffer,
  getOfferBySlug,
  listOffers,
  offerPrices,
  setOfferIncludes,
  offerIncludes,
  type OfferRow,
  type PriceRow,
} from "./service.ts";
export { registerIncludable, listIncludables, type Includable } from "./includables.ts";
export {
  registerCheckoutGuard,
  checkoutRefusal,
  type CheckoutGuard,
  type CheckoutAttempt,
  type CheckoutRefusal,
} from "./checkout-guards.ts";
/** Declared events other modules react to (outbox consumers filter on them). */
export { orderPaid, orderPartiallyRefunded, orderRefunded, subscriptionChanged, subscriptionPaid } from "./events.ts";
// The catalogue's audit-trail events, declared whenever the module is loaded (as when they lived in events.ts).
import "./events-admin.ts";
/** The owner's refund of an order (other modules join it to their own transaction). */
export { refundOrder } from "./operations/sales.ts";
export { claimGift, findGiftByToken } from "./gifts.ts";
export { linkImportedCustomer } from "./imported-customers.ts";
export { tierOffers, tierOfferIdsAmong, offerTerms } from "./terms.ts";
export { seedOffersDemo, type OffersDemoResult } from "./demo.ts";
export { downloadLink, fileResource, saveOfferFile } from "./downloads.tsx";
export { membersAreaResource } from "./members-area.tsx";
export { memberMoneySummaries, liveSubscriptionStatuses } from "./member-money.ts";
export { orderReference } from "./member-file.tsx";
export { salesFigures, type SalesFigures, type MonthBucket } from "./figures.ts";
export {
  requestStripeSync,
  runStripeSync,
  automaticTaxEnabled,
  setAutomaticTax,
  STRIPE_SYNC_JOB,
} from "./stripe-sync.ts";

/** Offers, checkout, fulfilment of provider events, gifts, discount codes. */
export const offersModule = defineModule({
  name: "offers",
  tables: offersTables,
  messages: offersMessages,
  routes(app) {
    registerAccountExtensions();
    registerNavLink({ href: "/pricing", labelKey: "offers.nav.pricing", order: 20 });
    registerOffersHomeSection();
    stripeWebhookRoutes(app);
    publicRoutes(app);
    devRoutes(app);
    accountRoutes(app);
    adminRoutes(app);
    memberFileRoutes(app);
    notifySettingsRoutes(app);
  },
  jobs: offersJobs,
});
