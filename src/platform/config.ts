import path from "node:path";
import { z } from "zod";

/** Runtime configuration, read once from environment variables (see README). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  filesDir: string;
  /** Set when PostgreSQL is used; undefined means the embedded SQLite file in dataDir. */
  databaseUrl: string | undefined;
  publicUrl: string;
  /** Cookies get the Secure flag only when the public URL is https. */
  secureCookies: boolean;
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  /** Tests only: points the Stripe SDK at a local stub (STRIPE_API_BASE, e.g. http://127.0.0.1:12111). Unset = api.stripe.com. */
  stripeApiBase: string | undefined;
  production: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// (leave it unset to use the embedded SQLite)")
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://example.com" }).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must look like smtp://user:pass@host:587 or smtps://...")
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_/, "must start with sk_ or rk_")
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_/, "must start with whsec_")
    .optional(),
  STRIPE_API_BASE: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:12111" })
    .optional(),
  NODE_ENV: z.string().optional(),
  TRUST_PROXY: z.enum(["0", "1", "true", "false"], { error: "must be 1 or 0" }).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export class ConfigError extends Error {}

/** Empty strings count as unset, so `PORT= npm start` behaves like no PORT at all. */
function cleanEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}

/** Validates the environment; throws a ConfigError whose message is one line saying what is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(cleanEnv(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Configuration error: ${String(issue.path[0])} ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production" && !e.SMTP_URL)
    throw new ConfigError(
      "Configuration error: SMTP_URL is required when NODE_ENV=production (the dev mailbox, which keeps whole emails with live links in the database, is only for trying Atelier)",
    );
  const dataDir = path.resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`).replace(
    /\/+$/,
    "",
  );
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    filesDir: path.join(dataDir, "files"),
    databaseUrl: e.DATABASE_URL,
    publicUrl,
    secureCookies: publicUrl.startsWith("https://"),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET,
    stripeApiBase: e.STRIPE_API_BASE,
    production: e.NODE_ENV === "production",
    trustProxy: e.TRUST_PROXY === "1" || e.TRUST_PROXY === "true",
    logLevel: e.LOG_LEVEL,
  };
}
