/** Customers, products, prices, Checkout Sessions and portal sessions: what Atelier creates before a buyer pays. */
import { bool, DAY, int, meta, obj, str, StubError, type StripeObj } from "./form.ts";
import { StripeStubState } from "./state.ts";

export class StripeCatalog extends StripeStubState {
  createCustomer(email: string | null, metadata: Record<string, string> = {}): StripeObj {
    const customer: StripeObj = {
      id: this.newId("cus"),
      object: "customer",
      email,
      name: null,
      metadata,
      created: this.tick(),
      livemode: false,
      address: null,
      invoice_settings: { default_payment_method: null },
    };
    this.customers.set(customer.id as string, customer);
    return customer;
  }

  protected createProduct(p: StripeObj): StripeObj {
    const id = str(p.id) ?? this.newId("prod");
    if (this.products.has(id))
      throw new StubError(400, "invalid_request_error", `Product already exists.`, "resource_already_exists", "id");
    const name = str(p.name);
    if (!name)
      throw new StubError(400, "invalid_request_error", "Missing required param: name.", "parameter_missing", "name");
    const product: StripeObj = {
      id,
      object: "product",
      name,
      description: str(p.description) ?? null,
      active: bool(p.active) ?? true,
      metadata: meta(p.metadata),
      created: this.tick(),
      updated: this.lastTick,
      livemode: false,
    };
    this.products.set(id, product);
    return product;
  }

  protected updateProduct(id: string, p: StripeObj): StripeObj {
    const product = this.get(this.products, "product", id);
    if (str(p.name)) product.name = p.name;
    if (p.description !== undefined) product.description = str(p.description) || null;
    if (bool(p.active) !== undefined) product.active = bool(p.active);
    if (p.metadata) product.metadata = { ...obj(product.metadata), ...meta(p.metadata) };
    product.updated = this.tick();
    return product;
  }

  protected priceObject(
    productId: string,
    currency: string,
    unitAmount: number,
    recurring: StripeObj | null,
    metadata: Record<string, string>,
  ): StripeObj {
    const price: StripeObj = {
      id: this.newId("price"),
      object: "price",
      active: true,
      billing_scheme: "per_unit",
      created: this.tick(),
      currency,
      livemode: false,
      lookup_key: null,
      metadata,
      nickname: null,
      product: productId,
      recurring: recurring
        ? {
            interval: str(recurring.interval) ?? "month",
            interval_count: recurring.interval_count ? Number(recurring.interval_count) : 1,
            usage_type: "licensed",
            meter: null,
            trial_period_days: null,
          }
        : null,
      tax_behavior: "unspecified",
      type: recurring ? "recurring" : "one_time",
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
    };
    this.prices.set(price.id as string, price);
    return price;
  }

  protected createPrice(p: StripeObj): StripeObj {
    const product = str(p.product);
    if (!product)
      throw new StubError(
        400,
        "invalid_request_error",
        "Missing required param: product.",
        "parameter_missing",
        "product",
      );
    this.get(this.products, "product", product);
    const currency = str(p.currency);
    if (!currency || !/^[a-z]{3}$/.test(currency))
      throw new StubError(400, "invalid_request_error", "Invalid currency", "parameter_invalid", "currency");
    return this.priceObject(
      product,
      currency,
      int(p.unit_amount, "unit_amount"),
      p.recurring ? obj(p.recurring) : null,
      meta(p.metadata),
    );
  }

  protected updatePrice(id: string, p: StripeObj): StripeObj {
    const price = this.get(this.prices, "price", id);
    if (bool(p.active) !== undefined) price.active = bool(p.active);
    if (p.metadata) price.metadata = { ...obj(price.metadata), ...meta(p.metadata) };
    for (const k of ["unit_amount", "currency", "recurring"]) {
      if (p[k] !== undefined)
        throw new StubError(400, "invalid_request_error", `Received unknown parameter: ${k}`, "parameter_unknown", k);
    }
    return price;
  }

  protected listPrices(p: StripeObj): StripeObj {
    const product = str(p.product);
    const active = bool(p.active);
    const data = [...this.prices.values()]
      .filter((x) => (!product || x.product === product) && (active === undefined || x.active === active))
      .reverse();
    return { object: "list", data, has_more: false, url: "/v1/prices" };
  }

  protected createSession(p: StripeObj): StripeObj {
    const mode = str(p.mode);
    if (mode !== "payment" && mode !== "subscription")
      throw new StubError(400, "invalid_request_error", "Invalid mode", "parameter_invalid", "mode");
    const items = Array.isArray(p.line_items) ? (p.line_items as StripeObj[]) : [];
    if (items.length !== 1)
      throw new StubError(
        400,
        "invalid_request_error",
        "The stub supports exactly one line item",
        "parameter_invalid",
        "line_items",
      );
    const item = items[0]!;
    let price: StripeObj;
    if (str(item.price)) price = this.get(this.prices, "price", item.price as string);
    else {
      const pd = obj(item.price_data);
      const currency = str(pd.currency);
      if (!currency)
        throw new StubError(
          400,
          "invalid_request_error",
          "Missing currency",
          "parameter_missing",
          "line_items[0][price_data][currency]",
        );
      const productData = obj(pd.product_data);
      let productId = str(pd.product);
      if (!productId) {
        const product = this.createProduct({ name: productData.name ?? "Item", metadata: productData.metadata ?? {} });
        productId = product.id as string;
      }
      price = this.priceObject(
        productId,
        currency,
        int(pd.unit_amount, "line_items[0][price_data][unit_amount]"),
        pd.recurring ? obj(pd.recurring) : null,
        {},
      );
      price.active = false;
    }
    if (mode === "subscription" && !price.recurring)
      throw new StubError(
        400,
        "invalid_request_error",
        "You must provide at least one recurring price in `subscription` mode",
        "parameter_invalid",
        "line_items",
      );
    if (mode === "payment" && price.recurring)
      throw new StubError(
        400,
        "invalid_request_error",
        "You specified `payment` mode but passed a recurring price",
        "parameter_invalid",
        "line_items",
      );
    const customer = str(p.customer) ?? null;
    if (customer) this.get(this.customers, "customer", customer);
    if (customer && p.customer_email)
      throw new StubError(
        400,
        "invalid_request_error",
        "You may only specify one of these parameters: customer, customer_email.",
        "parameter_invalid",
      );
    if (mode === "subscription" && p.customer_creation)
      throw new StubError(
        400,
        "invalid_request_error",
        "customer_creation can only be used in payment mode.",
        "parameter_invalid",
        "customer_creation",
      );
    const id = this.newId("cs");
    const quantity = Number(str(item.quantity) ?? "1");
    const session: StripeObj = {
      id,
      object: "checkout.session",
      amount_subtotal: (price.unit_amount as number) * quantity,
      amount_total: (price.unit_amount as number) * quantity,
      automatic_tax: { enabled: bool(obj(p.automatic_tax).enabled) ?? false, liability: null, status: null },
      cancel_url: str(p.cancel_url) ?? null,
      client_reference_id: str(p.client_reference_id) ?? null,
      created: this.tick(),
      currency: price.currency,
      customer,
      customer_creation: str(p.customer_creation) ?? null,
      customer_details: null,
      customer_email: str(p.customer_email) ?? null,
      expires_at: this.lastTick + DAY,
      invoice: null,
      livemode: false,
      metadata: meta(p.metadata),
      mode,
      payment_intent: null,
      payment_status: "unpaid",
      status: "open",
      subscription: null,
      success_url: str(p.success_url) ?? null,
      url: `${this.url}/pay/${id}`,
    };
    this.sessions.set(id, session);
    // Kept beside the session (Stripe keeps them internally): what to create on completion.
    this.sessionInternals.set(id, {
      price,
      quantity,
      subscriptionData: obj(p.subscription_data),
      paymentIntentData: obj(p.payment_intent_data),
      customerUpdate: obj(p.customer_update),
    });
    return session;
  }

  protected readonly sessionInternals = new Map<
    string,
    {
      price: StripeObj;
      quantity: number;
      subscriptionData: StripeObj;
      paymentIntentData: StripeObj;
      customerUpdate: StripeObj;
    }
  >();

  /** The Checkout Session parameters kept internally (price used, subscription_data...). */
  sessionDetails(sessionId: string) {
    return this.sessionInternals.get(sessionId) ?? this.missing("checkout.session", sessionId);
  }

  protected createPortalSession(p: StripeObj): StripeObj {
    const customer = str(p.customer);
    if (!customer)
      throw new StubError(
        400,
        "invalid_request_error",
        "Missing required param: customer.",
        "parameter_missing",
        "customer",
      );
    this.get(this.customers, "customer", customer);
    const id = this.newId("bps");
    const session: StripeObj = {
      id,
      object: "billing_portal.session",
      customer,
      return_url: str(p.return_url) ?? null,
      created: this.tick(),
      livemode: false,
      url: `${this.url}/billing/${id}`,
    };
    this.portalSessions.set(id, session);
    return session;
  }
}
