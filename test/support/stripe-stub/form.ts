/** Stripe's form encoding and the value helpers the stub's routes read parameters with. */

export type StripeObj = Record<string, unknown>;

export class StubError extends Error {
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

export const DAY = 86_400;
export function intervalSeconds(interval: string | undefined): number {
  return interval === "year" ? 365 * DAY : interval === "week" ? 7 * DAY : interval === "day" ? DAY : 30 * DAY;
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
export function obj(v: unknown): StripeObj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as StripeObj) : {};
}
export function bool(v: unknown): boolean | undefined {
  return v === "true" ? true : v === "false" ? false : undefined;
}
export function int(v: unknown, param: string): number {
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
export function meta(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string" && val !== "") out[k] = val;
  return out;
}
