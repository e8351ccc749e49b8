/**
 * A small browser-like HTTP client for integration tests: keeps cookies,
 * does not follow redirects (tests assert them), remembers the last CSRF
 * token seen in a page and sends it with form posts.
 */
export interface Response2 {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  csrf = "";

  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Response2> {
    const res = await fetch(this.baseUrl + path, {
      method,
      redirect: "manual",
      body: init.body,
      headers: { ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}), ...init.headers },
    });
    this.remember(res);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, headers: res.headers, text, location: res.headers.get("location") };
  }

  get(path: string, headers?: Record<string, string>): Promise<Response2> {
    return this.request("GET", path, { headers });
  }

  /** Posts a urlencoded form, adding the remembered CSRF token unless `_csrf` is given. */
  post(
    path: string,
    fields: Record<string, string | string[]> = {},
    headers?: Record<string, string>,
  ): Promise<Response2> {
    const body = new URLSearchParams();
    if (!("_csrf" in fields) && this.csrf) body.append("_csrf", this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request("POST", path, {
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }
}

/** Pulls the first link to our site out of a text email (magic links, confirmations). */
export function linkIn(text: string, baseUrl: string, pathPrefix = "/"): string {
  const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}${pathPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^\\s"<>]*`).exec(text);
  if (!m) throw new Error(`No link to ${baseUrl}${pathPrefix} in:\n${text}`);
  return m[0].slice(baseUrl.length);
}
