/** The stub's state (objects by id, events, requests), its ids and clock, and signed webhook deliveries. */
import Stripe from "stripe";
import { randomBytes } from "node:crypto";
import { clone, StubError, type StripeObj } from "./form.ts";

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

export interface StripeStubOptions {
  secretKey?: string;
  webhookSecret?: string;
}

export class StripeStubState {
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
  protected lastTick = 0;
  private counter = 0;
  url = "";

  constructor(opts: StripeStubOptions = {}) {
    this.secretKey = opts.secretKey ?? "sk_test_atelier_stub";
    this.webhookSecret = opts.webhookSecret ?? "whsec_atelier_stub_secret";
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

  protected emit(
    type: string,
    object: StripeObj,
    previous?: StripeObj,
    idempotencyKey: string | null = null,
  ): StubEvent {
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

  protected missing(kind: string, id: string, param = "id"): never {
    throw new StubError(404, "invalid_request_error", `No such ${kind}: '${id}'`, "resource_missing", param);
  }

  protected get(map: Map<string, StripeObj>, kind: string, id: string): StripeObj {
    return map.get(id) ?? this.missing(kind, id);
  }

  protected eventsSince(mark: number): StubEvent[] {
    return this.events.slice(mark);
  }
}
