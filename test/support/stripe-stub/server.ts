/** The stub's HTTP side: the server, authentication, Idempotency-Key replay, and the routes of the endpoints Atelier uses. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { meta, parseStripeForm, str, StubError, type StripeObj } from "./form.ts";
import type { StubRequest } from "./state.ts";
import { StripeBilling } from "./billing.ts";

export class StripeServer extends StripeBilling {
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: string }>();
  private server: http.Server | null = null;

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
}
