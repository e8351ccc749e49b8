/**
 * An in-process stub of exactly the Stripe API endpoints Atelier uses, for the real `stripe` SDK
 * pointed at it through STRIPE_API_BASE (host/port/protocol options).
 *
 * - Requests are form-encoded like Stripe's (`a[b][0][c]=v`), authenticated with the secret key,
 *   and every POST's Idempotency-Key is honoured: same key + same parameters → the same response
 *   (header Idempotent-Replayed), same key + other parameters → 400 idempotency_error.
 * - State lives in memory. Helpers drive lifecycles (complete a checkout, renew, fail a payment,
 *   recover, cancel at period end, end the period, refund, change price, SEPA success/failure) and
 *   return Stripe-shaped events (API version of the SDK); `sign`/`deliver` produce signed webhook
 *   deliveries with the SDK's own generateTestHeaderString.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import Stripe from "stripe";

export type StripeObj = Record<string, unknown>;

export interface StubRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  params: StripeObj;
  status: number;
}

export interface StubEvent {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: StripeObj; previous_attributes?: StripeObj };
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

class StubError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/** Parses Stripe's bracketed form encoding into nested objects (numeric keys → arrays). */
export function parseStripeForm(body: string): StripeObj {
  const root: StripeObj = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i]!;
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
      const slot = Array.isArray(node) ? Number(key) : key;
      const container = node as Record<string | number, unknown>;
      if (last) container[slot] = value;
      else {
        if (container[slot] === undefined) container[slot] = nextIsIndex ? [] : {};
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
}

const DAY = 86_400;
function intervalSeconds(interval: string | undefined): number {
  return interval === "year" ? 365 * DAY : interval === "week" ? 7 * DAY : interval === "day" ? DAY : 30 * DAY;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
function obj(v: unknown): StripeObj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as StripeObj) : {};
}
function bool(v: unknown): boolean | undefined {
  return v === "true" ? true : v === "false" ? false : undefined;
}
function int(v: unknown, param: string): number {
  const n = Number(v);
  if (typeof v !== "string" || !/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw new StubError(
      400,
      "invalid_request_error",
      `Invalid integer: ${String(v)}`,
      "parameter_invalid_integer",
      param,
    );
  return n;
}
function meta(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string" && val !== "") out[k] = val;
  return out;
}

export interface StripeStubOptions {
  secretKey?: string;
  webhookSecret?: string;
}

export class StripeStub {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly customers = new Map<string, StripeObj>();
  readonly products = new Map<string, StripeObj>();
  readonly prices = new Map<string, StripeObj>();
  readonly sessions = new Map<string, StripeObj>();
  readonly subscriptions = new Map<string, StripeObj>();
  readonly paymentIntents = new Map<string, StripeObj>();
  readonly charges = new Map<string, StripeObj>();
  readonly invoices = new Map<string, StripeObj>();
  readonly refunds = new Map<string, StripeObj>();
  readonly portalSessions = new Map<string, StripeObj>();
  /** Every event the stub produced, in creation order. */
  readonly events: StubEvent[] = [];
  /** Every API request received (tests assert Idempotency-Key on every POST). */
  readonly requests: StubRequest[] = [];
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: string }>();
  private server: http.Server | null = null;
  private lastTick = 0;
  private counter = 0;
  url = "";

  constructor(opts: StripeStubOptions = {}) {
    this.secretKey = opts.secretKey ?? "sk_test_atelier_stub";
    this.webhookSecret = opts.webhookSecret ?? "whsec_atelier_stub_secret";
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Env for startTestApp. */
  env(): Record<string, string> {
    return { STRIPE_SECRET_KEY: this.secretKey, STRIPE_WEBHOOK_SECRET: this.webhookSecret, STRIPE_API_BASE: this.url };
  }

  // -------------------------------------------------------------------------
  // ids, clock, events

  newId(prefix: string): string {
    this.counter++;
    return `${prefix}_test_${this.counter.toString(36).padStart(5, "0")}${randomBytes(8).toString("hex")}`;
  }

  /** A strictly increasing clock near real time (seconds), so `created` orders events like Stripe's. */
  tick(): number {
    this.lastTick = Math.max(Math.floor(Date.now() / 1000), this.lastTick + 1);
    return this.lastTick;
  }

  private emit(type: string, object: StripeObj, previous?: StripeObj, idempotencyKey: string | null = null): StubEvent {
    const event: StubEvent = {
      id: this.newId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: this.tick(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: idempotencyKey ? this.newId("req") : null, idempotency_key: idempotencyKey },
      type,
      data: { object: clone(object), ...(previous ? { previous_attributes: clone(previous) } : {}) },
    };
    this.events.push(event);
    return event;
  }

  /** The Stripe-Signature header for a payload; `timestamp` in seconds (default now). */
  signature(payload: string, opts: { timestamp?: number; secret?: string } = {}): string {
    return Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: opts.secret ?? this.webhookSecret,
      ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
    });
  }

  /** A signed delivery exactly as Stripe sends it (pretty-printed JSON body). */
  sign(event: StubEvent, opts: { timestamp?: number; secret?: string } = {}): SignedDelivery {
    const body = JSON.stringify(event, null, 2);
    return {
      body,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "stripe-signature": this.signature(body, opts),
        "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      },
    };
  }

  /** POSTs a signed delivery to an endpoint; returns the status and body. */
  async deliver(
    endpoint: string,
    event: StubEvent,
    opts: { timestamp?: number; secret?: string } = {},
  ): Promise<{ status: number; text: string }> {
    const d = this.sign(event, opts);
    const res = await fetch(endpoint, { method: "POST", headers: d.headers, body: d.body });
    return { status: res.status, text: await res.text() };
  }

  // -------------------------------------------------------------------------
  // HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", "http://stub");
    const method = req.method ?? "GET";
    const params =
      method === "GET" || method === "DELETE"
        ? parseStripeForm(u.searchParams.toString() + (raw ? "&" + raw : ""))
        : parseStripeForm(raw);
    const keyHeader = req.headers["idempotency-key"];
    const idempotencyKey = typeof keyHeader === "string" ? keyHeader : null;
    const record: StubRequest = { method, path: u.pathname, idempotencyKey, params, status: 0 };
    this.requests.push(record);
    const send = (status: number, body: string, replayed = false) => {
      record.status = status;
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": this.newId("req"),
        ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        ...(replayed ? { "idempotent-replayed": "true" } : {}),
      });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      send(401, JSON.stringify({ error: { type: "invalid_request_error", message: "Invalid API Key provided" } }));
      return;
    }
    const fingerprint = `${method} ${u.pathname} ${raw}`;
    if (idempotencyKey && method === "POST") {
      const seen = this.idempotent.get(idempotencyKey);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          send(
            400,
            JSON.stringify({
              error: {
                type: "idempotency_error",
                message:
                  "Keys for idempotent requests can only be used with the same parameters they were first used with.",
              },
            }),
          );
        } else send(seen.status, seen.body, true);
        return;
      }
    }
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(this.route(method, u.pathname, params, idempotencyKey));
    } catch (err) {
      if (!(err instanceof StubError)) throw err;
      status = err.status;
      body = JSON.stringify({
        error: {
          type: err.type,
          message: err.message,
          ...(err.code ? { code: err.code } : {}),
          ...(err.param ? { param: err.param } : {}),
        },
      });
    }
    // Stripe stores the result of an idempotent POST, errors included (except 5xx).
    if (idempotencyKey && method === "POST") this.idempotent.set(idempotencyKey, { fingerprint, status, body });
    send(status, body);
  }

  private missing(kind: string, id: string, param = "id"): never {
    throw new StubError(404, "invalid_request_error", `No such ${kind}: '${id}'`, "resource_missing", param);
  }

  private get(map: Map<string, StripeObj>, kind: string, id: string): StripeObj {
    return map.get(id) ?? this.missing(kind, id);
  }

  private route(method: string, path: string, p: StripeObj, key: string | null): StripeObj {
    const seg = path.split("/").filter(Boolean);
    if (seg[0] !== "v1")
      throw new StubError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path})`);
    const [, a, b, c] = seg;
    if (a === "checkout" && b === "sessions") {
      if (method === "POST" && !c) return this.createSession(p);
      if (method === "GET" && c) return this.get(this.sessions, "checkout.session", c);
    }
    if (a === "billing_portal" && b === "sessions" && method === "POST" && !c) return this.createPortalSession(p);
    if (a === "products") {
      if (method === "POST" && !b) return this.createProduct(p);
      if (method === "GET" && b) return this.get(this.products, "product", b);
      if (method === "POST" && b) return this.updateProduct(b, p);
    }
    if (a === "prices") {
      if (method === "POST" && !b) return this.createPrice(p);
      if (method === "GET" && !b) return this.listPrices(p);
      if (method === "GET" && b) return this.get(this.prices, "price", b);
      if (method === "POST" && b) return this.updatePrice(b, p);
    }
    if (a === "customers") {
      if (method === "POST" && !b) return this.createCustomer(str(p.email) ?? null, meta(p.metadata));
      if (method === "GET" && b) return this.get(this.customers, "customer", b);
    }
    if (a === "subscriptions" && b) {
      if (method === "GET") return this.get(this.subscriptions, "subscription", b);
      if (method === "POST") return this.updateSubscription(b, p, key);
      if (method === "DELETE") return this.cancelNow(b, key).subscription;
    }
    if (a === "refunds" && method === "POST" && !b) return this.createRefund(p, key);
    if (a === "invoices" && method === "GET" && b) return this.invoiceView(b, p);
    throw new StubError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${method}: ${path}). The Atelier stub implements only the endpoints Atelier uses.`,
    );
  }

  // -------------------------------------------------------------------------
  // resources

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

  private createProduct(p: StripeObj): StripeObj {
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

  private updateProduct(id: string, p: StripeObj): StripeObj {
    const product = this.get(this.products, "product", id);
    if (str(p.name)) product.name = p.name;
    if (p.description !== undefined) product.description = str(p.description) || null;
    if (bool(p.active) !== undefined) product.active = bool(p.active);
    if (p.metadata) product.metadata = { ...obj(product.metadata), ...meta(p.metadata) };
    product.updated = this.tick();
    return product;
  }

  private priceObject(
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

  private createPrice(p: StripeObj): StripeObj {
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

  private updatePrice(id: string, p: StripeObj): StripeObj {
    const price = this.get(this.prices, "price", id);
    if (bool(p.active) !== undefined) price.active = bool(p.active);
    if (p.metadata) price.metadata = { ...obj(price.metadata), ...meta(p.metadata) };
    for (const k of ["unit_amount", "currency", "recurring"]) {
      if (p[k] !== undefined)
        throw new StubError(400, "invalid_request_error", `Received unknown parameter: ${k}`, "parameter_unknown", k);
    }
    return price;
  }

  private listPrices(p: StripeObj): StripeObj {
    const product = str(p.product);
    const active = bool(p.active);
    const data = [...this.prices.values()]
      .filter((x) => (!product || x.product === product) && (active === undefined || x.active === active))
      .reverse();
    return { object: "list", data, has_more: false, url: "/v1/prices" };
  }

  private createSession(p: StripeObj): StripeObj {
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

  private readonly sessionInternals = new Map<
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

  private createPortalSession(p: StripeObj): StripeObj {
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

  private newCharge(piId: string, amount: number, currency: string, customer: string | null): StripeObj {
    const charge: StripeObj = {
      id: this.newId("ch"),
      object: "charge",
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      captured: true,
      created: this.tick(),
      currency,
      customer,
      livemode: false,
      paid: true,
      payment_intent: piId,
      refunded: false,
      status: "succeeded",
    };
    this.charges.set(charge.id as string, charge);
    const pi = this.paymentIntents.get(piId);
    if (pi) pi.latest_charge = charge.id;
    return charge;
  }

  private newPaymentIntent(
    amount: number,
    currency: string,
    customer: string | null,
    metadata: Record<string, string>,
    status: string,
  ): StripeObj {
    const pi: StripeObj = {
      id: this.newId("pi"),
      object: "payment_intent",
      amount,
      amount_received: status === "succeeded" ? amount : 0,
      currency,
      customer,
      metadata,
      status,
      latest_charge: null,
      created: this.tick(),
      livemode: false,
    };
    this.paymentIntents.set(pi.id as string, pi);
    if (status === "succeeded") this.newCharge(pi.id as string, amount, currency, customer);
    return pi;
  }

  private newInvoice(sub: StripeObj, amount: number, paid: boolean, reason: string): StripeObj {
    const customer = sub.customer as string;
    const currency = this.subscriptionPrice(sub).currency as string;
    const pi =
      amount > 0
        ? this.newPaymentIntent(amount, currency, customer, {}, paid ? "succeeded" : "requires_payment_method")
        : null;
    const item = this.subscriptionItem(sub);
    const invoice: StripeObj = {
      id: this.newId("in"),
      object: "invoice",
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      attempt_count: 1,
      billing_reason: reason,
      created: this.tick(),
      currency,
      customer,
      livemode: false,
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: clone(sub.metadata) },
      },
      period_start: item.current_period_start,
      period_end: item.current_period_end,
      status: paid ? "paid" : "open",
      status_transitions: { paid_at: paid ? this.lastTick : null },
      total: amount,
    };
    this.invoices.set(invoice.id as string, invoice);
    this.invoicePayments.set(invoice.id as string, pi ? (pi.id as string) : null);
    sub.latest_invoice = invoice.id;
    return invoice;
  }

  /** GET /v1/invoices/:id; `payments` only when expanded, as in Stripe's API. */
  private invoiceView(id: string, p: StripeObj): StripeObj {
    const invoice = this.get(this.invoices, "invoice", id);
    const expand = Array.isArray(p.expand) ? (p.expand as string[]) : [];
    if (!expand.includes("payments")) return invoice;
    const piId = this.invoicePayments.get(id) ?? null;
    const pi = piId ? this.paymentIntents.get(piId) : undefined;
    const data = pi
      ? [
          {
            id: `inpay_${piId}`,
            object: "invoice_payment",
            amount_paid: pi.status === "succeeded" ? pi.amount : null,
            amount_requested: pi.amount,
            currency: pi.currency,
            invoice: id,
            is_default: true,
            livemode: false,
            payment: { type: "payment_intent", payment_intent: piId },
            status: pi.status === "succeeded" ? "paid" : "open",
          },
        ]
      : [];
    return {
      ...invoice,
      payments: { object: "list", data, has_more: false, url: `/v1/invoice_payments?invoice=${id}` },
    };
  }

  /** Invoice id → the PaymentIntent that pays it. */
  readonly invoicePayments = new Map<string, string | null>();

  subscriptionItem(sub: StripeObj): StripeObj {
    return (obj(sub.items).data as StripeObj[])[0]!;
  }

  subscriptionPrice(sub: StripeObj): StripeObj {
    return obj(this.subscriptionItem(sub).price);
  }

  private newSubscription(
    customer: string,
    price: StripeObj,
    metadata: Record<string, string>,
    trialDays: number,
  ): StripeObj {
    const now = this.tick();
    const end = trialDays > 0 ? now + trialDays * DAY : now + intervalSeconds(str(obj(price.recurring).interval));
    const id = this.newId("sub");
    const sub: StripeObj = {
      id,
      object: "subscription",
      billing_cycle_anchor: end,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: "charge_automatically",
      created: now,
      currency: price.currency,
      customer,
      ended_at: null,
      items: {
        object: "list",
        data: [
          {
            id: this.newId("si"),
            object: "subscription_item",
            created: now,
            current_period_start: now,
            current_period_end: end,
            metadata: {},
            price: clone(price),
            quantity: 1,
            subscription: id,
          },
        ],
        has_more: false,
        total_count: 1,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata,
      start_date: now,
      status: trialDays > 0 ? "trialing" : "active",
      trial_end: trialDays > 0 ? end : null,
      trial_start: trialDays > 0 ? now : null,
    };
    this.subscriptions.set(id, sub);
    return sub;
  }

  private updateSubscription(id: string, p: StripeObj, key: string | null): StripeObj {
    const sub = this.get(this.subscriptions, "subscription", id);
    if (sub.status === "canceled")
      throw new StubError(
        400,
        "invalid_request_error",
        "A canceled subscription can only update its cancellation_details and metadata.",
        "resource_missing",
      );
    const previous: StripeObj = {};
    const cape = bool(p.cancel_at_period_end);
    if (cape !== undefined && cape !== sub.cancel_at_period_end) {
      previous.cancel_at_period_end = sub.cancel_at_period_end;
      previous.cancel_at = sub.cancel_at;
      previous.canceled_at = sub.canceled_at;
      sub.cancel_at_period_end = cape;
      sub.cancel_at = cape ? this.subscriptionItem(sub).current_period_end : null;
      sub.canceled_at = cape ? this.tick() : null;
    }
    const items = Array.isArray(p.items) ? (p.items as StripeObj[]) : [];
    if (items[0] && str(items[0].price)) {
      const price = this.get(this.prices, "price", items[0].price as string);
      previous.items = clone(sub.items);
      this.subscriptionItem(sub).price = clone(price);
    }
    if (p.metadata) {
      previous.metadata = clone(sub.metadata);
      sub.metadata = { ...obj(sub.metadata), ...meta(p.metadata) };
    }
    this.emit("customer.subscription.updated", sub, previous, key);
    return sub;
  }

  private createRefund(p: StripeObj, key: string | null): StripeObj {
    let charge: StripeObj | undefined;
    const piId = str(p.payment_intent);
    if (piId) {
      const pi = this.get(this.paymentIntents, "payment_intent", piId);
      charge = pi.latest_charge ? this.charges.get(pi.latest_charge as string) : undefined;
      if (!charge)
        throw new StubError(
          400,
          "invalid_request_error",
          `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
          "charge_not_refundable",
          "payment_intent",
        );
    } else if (str(p.charge)) charge = this.get(this.charges, "charge", p.charge as string);
    else
      throw new StubError(
        400,
        "invalid_request_error",
        "One of the following params should be provided for this request: payment_intent or charge.",
        "parameter_missing",
      );
    const remaining = (charge.amount as number) - (charge.amount_refunded as number);
    if (remaining <= 0)
      throw new StubError(
        400,
        "invalid_request_error",
        `Charge ${charge.id as string} has already been refunded.`,
        "charge_already_refunded",
      );
    const amount = p.amount !== undefined ? int(p.amount, "amount") : remaining;
    if (amount > remaining)
      throw new StubError(
        400,
        "invalid_request_error",
        "Refund amount is greater than unrefunded amount on charge",
        "amount_too_large",
        "amount",
      );
    const refund: StripeObj = {
      id: this.newId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      created: this.tick(),
      currency: charge.currency,
      payment_intent: charge.payment_intent,
      status: "succeeded",
      metadata: meta(p.metadata),
    };
    this.refunds.set(refund.id as string, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit("refund.created", refund, undefined, key);
    this.emit("charge.refunded", charge, previous, key);
    return refund;
  }

  // -------------------------------------------------------------------------
  // lifecycle drivers (what Stripe does when the buyer acts or time passes)

  private eventsSince(mark: number): StubEvent[] {
    return this.events.slice(mark);
  }

  /**
   * The buyer pays on Stripe's page. `delayed` = a SEPA debit: the session completes unpaid and
   * the money arrives later (asyncPaymentSucceeded / asyncPaymentFailed). `email` = what the buyer
   * typed on Stripe's page (defaults to the session's customer_email).
   */
  completeCheckout(sessionId: string, opts: { delayed?: boolean; email?: string; name?: string } = {}): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    if (session.status !== "open") throw new Error(`checkout ${sessionId} is ${String(session.status)}`);
    const internal = this.sessionDetails(sessionId);
    let customerId = session.customer as string | null;
    const email =
      opts.email ??
      (session.customer_email as string | null) ??
      (customerId ? (this.customers.get(customerId)?.email as string | null) : null);
    if (!customerId) customerId = this.createCustomer(email).id as string;
    session.customer = customerId;
    session.customer_details = {
      email,
      name: opts.name ?? null,
      address: null,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    session.status = "complete";
    const amount = session.amount_total as number;
    const currency = session.currency as string;
    if (session.mode === "payment") {
      const pi = this.newPaymentIntent(
        amount,
        currency,
        customerId,
        meta(internal.paymentIntentData.metadata),
        opts.delayed ? "processing" : "succeeded",
      );
      session.payment_intent = pi.id;
      session.payment_status = opts.delayed ? "unpaid" : "paid";
      if (!opts.delayed) this.emit("payment_intent.succeeded", pi);
      this.emit("checkout.session.completed", session);
    } else {
      const trialDays = Number(str(internal.subscriptionData.trial_period_days) ?? "0");
      const sub = this.newSubscription(customerId, internal.price, meta(internal.subscriptionData.metadata), trialDays);
      session.subscription = sub.id;
      this.emit("customer.subscription.created", sub);
      const invoice = this.newInvoice(sub, trialDays > 0 ? 0 : amount, true, "subscription_create");
      session.invoice = invoice.id;
      session.payment_status = trialDays > 0 ? "no_payment_required" : "paid";
      if (trialDays > 0) session.amount_total = 0;
      this.emit("invoice.created", invoice);
      this.emit("invoice.paid", invoice);
      this.emit("invoice.payment_succeeded", invoice);
      this.emit("checkout.session.completed", session);
    }
    return this.eventsSince(mark);
  }

  /** The delayed (SEPA) payment arrived. */
  asyncPaymentSucceeded(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    const pi = this.get(this.paymentIntents, "payment_intent", session.payment_intent as string);
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    this.newCharge(pi.id as string, pi.amount as number, pi.currency as string, pi.customer as string);
    session.payment_status = "paid";
    this.emit("payment_intent.succeeded", pi);
    this.emit("checkout.session.async_payment_succeeded", session);
    return this.eventsSince(mark);
  }

  /** The delayed (SEPA) payment bounced. */
  asyncPaymentFailed(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    const pi = this.get(this.paymentIntents, "payment_intent", session.payment_intent as string);
    pi.status = "requires_payment_method";
    this.emit("payment_intent.payment_failed", pi);
    this.emit("checkout.session.async_payment_failed", session);
    return this.eventsSince(mark);
  }

  /** The buyer never paid; the session expired. */
  expireCheckout(sessionId: string): StubEvent[] {
    const mark = this.events.length;
    const session = this.get(this.sessions, "checkout.session", sessionId);
    if (session.status !== "open") throw new Error(`checkout ${sessionId} is ${String(session.status)}`);
    session.status = "expired";
    this.emit("checkout.session.expired", session);
    return this.eventsSince(mark);
  }

  private advancePeriod(sub: StripeObj): StripeObj {
    const item = this.subscriptionItem(sub);
    const previous = { items: clone(sub.items), status: sub.status };
    item.current_period_start = item.current_period_end;
    item.current_period_end =
      (item.current_period_end as number) + intervalSeconds(str(obj(obj(item.price).recurring).interval));
    sub.billing_cycle_anchor = item.current_period_end;
    return previous;
  }

  private liveSubscription(id: string): StripeObj {
    const sub = this.get(this.subscriptions, "subscription", id);
    if (sub.status === "canceled") throw new Error(`subscription ${id} is canceled`);
    return sub;
  }

  /** The next period is charged successfully (also ends a trial). */
  renew(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = this.advancePeriod(sub);
    sub.status = "active";
    sub.trial_end = sub.trial_end && (sub.trial_end as number) > this.lastTick ? this.lastTick : sub.trial_end;
    const invoice = this.newInvoice(sub, this.subscriptionPrice(sub).unit_amount as number, true, "subscription_cycle");
    this.emit("invoice.created", invoice);
    this.emit("invoice.paid", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** The renewal charge fails: the period moves on, the invoice stays open, the subscription is past_due. */
  failPayment(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = this.advancePeriod(sub);
    sub.status = "past_due";
    const invoice = this.newInvoice(
      sub,
      this.subscriptionPrice(sub).unit_amount as number,
      false,
      "subscription_cycle",
    );
    this.emit("invoice.created", invoice);
    this.emit("invoice.payment_failed", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** A retry (or a new card) pays the open invoice. */
  recover(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const invoice = this.get(this.invoices, "invoice", sub.latest_invoice as string);
    if (invoice.status !== "open") throw new Error(`invoice ${invoice.id as string} is not open`);
    invoice.status = "paid";
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.attempt_count = 2;
    const piId = this.invoicePayments.get(invoice.id as string);
    if (piId) {
      const pi = this.paymentIntents.get(piId)!;
      pi.status = "succeeded";
      pi.amount_received = pi.amount;
      this.newCharge(piId, pi.amount as number, pi.currency as string, pi.customer as string);
    }
    const previous = { status: sub.status };
    sub.status = "active";
    this.emit("invoice.paid", invoice);
    this.emit("customer.subscription.updated", sub, previous);
    return this.eventsSince(mark);
  }

  /** Retries exhausted: Stripe cancels the subscription (settings "cancel after all retries fail"). */
  giveUp(subscriptionId: string): StubEvent[] {
    return this.cancelNow(subscriptionId, null, "payment_failed").events;
  }

  /** What the portal's "cancel" does: cancel at the end of the period. */
  cancelAtPeriodEnd(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    this.updateSubscription(subscriptionId, { cancel_at_period_end: "true" }, null);
    return this.eventsSince(mark);
  }

  /** What the portal's "resume" does. */
  resume(subscriptionId: string): StubEvent[] {
    const mark = this.events.length;
    this.updateSubscription(subscriptionId, { cancel_at_period_end: "false" }, null);
    return this.eventsSince(mark);
  }

  /** Time reaches the end of a period set to cancel: the subscription ends. */
  endPeriod(subscriptionId: string): StubEvent[] {
    const sub = this.liveSubscription(subscriptionId);
    if (!sub.cancel_at_period_end) throw new Error(`subscription ${subscriptionId} is not set to cancel`);
    return this.cancelNow(subscriptionId, null, "cancellation_requested").events;
  }

  /** Cancels at once (API DELETE /v1/subscriptions/:id, or the helpers above). */
  cancelNow(
    subscriptionId: string,
    key: string | null = null,
    reason = "cancellation_requested",
  ): { subscription: StripeObj; events: StubEvent[] } {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    const previous = { status: sub.status };
    sub.status = "canceled";
    sub.canceled_at = sub.canceled_at ?? this.tick();
    sub.ended_at = this.tick();
    sub.cancellation_details = { comment: null, feedback: null, reason };
    this.emit("customer.subscription.deleted", sub, previous, key);
    return { subscription: sub, events: this.eventsSince(mark) };
  }

  /** The member switches price in the portal (upgrade/downgrade); Stripe invoices the proration. */
  changePrice(subscriptionId: string, providerPriceId: string, prorationAmount = 0): StubEvent[] {
    const mark = this.events.length;
    const sub = this.liveSubscription(subscriptionId);
    this.updateSubscription(
      subscriptionId,
      { items: [{ id: this.subscriptionItem(sub).id, price: providerPriceId }] },
      null,
    );
    if (prorationAmount > 0) {
      const invoice = this.newInvoice(sub, prorationAmount, true, "subscription_update");
      this.emit("invoice.paid", invoice);
    }
    return this.eventsSince(mark);
  }

  /** A refund made in Stripe's dashboard (the API route does the same for our own refunds). */
  refundPayment(paymentIntentId: string, amount?: number): StubEvent[] {
    const mark = this.events.length;
    this.createRefund(
      { payment_intent: paymentIntentId, ...(amount !== undefined ? { amount: String(amount) } : {}) },
      null,
    );
    return this.eventsSince(mark);
  }

  /**
   * Someone else's business in the same Stripe account (a payment link, a dashboard subscription):
   * a customer, a product and a subscription carrying none of our metadata.
   */
  foreignActivity(email: string): StubEvent[] {
    const mark = this.events.length;
    const customer = this.createCustomer(email);
    const product = this.createProduct({ name: "Something else" });
    const price = this.priceObject(product.id as string, "eur", 1500, { interval: "month" }, {});
    this.emit("customer.created", customer);
    const sub = this.newSubscription(customer.id as string, price, {}, 0);
    this.emit("customer.subscription.created", sub);
    const invoice = this.newInvoice(sub, 1500, true, "subscription_create");
    this.emit("invoice.paid", invoice);
    const pi = this.newPaymentIntent(900, "eur", customer.id as string, {}, "succeeded");
    const sessionId = this.newId("cs");
    const session: StripeObj = {
      id: sessionId,
      object: "checkout.session",
      amount_subtotal: 900,
      amount_total: 900,
      automatic_tax: { enabled: false, liability: null, status: null },
      cancel_url: null,
      client_reference_id: null,
      created: this.tick(),
      currency: "eur",
      customer: customer.id,
      customer_creation: "always",
      customer_details: { email, name: null, address: null, phone: null, tax_exempt: "none", tax_ids: [] },
      customer_email: null,
      expires_at: this.lastTick + DAY,
      invoice: null,
      livemode: false,
      metadata: {},
      mode: "payment",
      payment_intent: pi.id,
      payment_status: "paid",
      status: "complete",
      subscription: null,
      success_url: null,
      url: null,
    };
    this.sessions.set(sessionId, session);
    this.emit("checkout.session.completed", session);
    this.refundPayment(pi.id as string);
    this.cancelNow(sub.id as string);
    return this.eventsSince(mark);
  }
}

/** Starts a stub on a random port. */
export async function startStripeStub(opts: StripeStubOptions = {}): Promise<StripeStub> {
  const stub = new StripeStub(opts);
  await stub.start();
  return stub;
}
