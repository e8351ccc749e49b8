import fs from "node:fs";
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
  /** Where stored files live: local disk (filesDir, the default) or an S3-compatible bucket. */
  storage: StorageConfig;
  /** Bulk sending (NEWSLETTER_*), the mail webhook token and DKIM signing. */
  newsletter: NewsletterConfig;
}

export interface NewsletterConfig {
  /** SMTP connections kept open (NEWSLETTER_SMTP_POOL). */
  poolSize: number;
  /** Messages per second across the pool, 0 = no cap (NEWSLETTER_RATE_PER_SECOND). */
  ratePerSecond: number;
  /** Recipients per batch job (NEWSLETTER_BATCH_SIZE). */
  batchSize: number;
  /** How long a claimed row stays reserved without renewal (NEWSLETTER_LEASE_MS). */
  leaseMs: number;
  /** How often a running send's watchdog looks for stalled work (NEWSLETTER_WATCH_MS). */
  watchMs: number;
  /** Secret for POST /webhooks/mail/postmark (MAIL_WEBHOOK_TOKEN); undefined = endpoint disabled. */
  webhookToken: string | undefined;
  /** DKIM_DOMAIN + DKIM_SELECTOR + DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE), all or none. */
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
}

export interface S3Config {
  bucket: string;
  /** Key prefix inside the bucket ("" or "atelier/"), always ending with "/" when set. */
  prefix: string;
  /** Undefined means AWS itself; set for R2, Scaleway, OVH, B2, MinIO, Ceph... */
  endpoint: string | undefined;
  region: string;
  /** Both or neither: neither lets the SDK find credentials itself (instance role, ~/.aws). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export interface StorageConfig {
  driver: "local" | "s3";
  s3: S3Config | undefined;
  /** > 0: downloads redirect to a presigned URL valid that many seconds (S3 only). 0 = streamed by the node. */
  presignSeconds: number;
}

/** A whole number within [min, max]; anything else is refused with the range (never silently defaulted). */
function wholeNumber(min: number, max: number, fallback: number) {
  const msg = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: msg }).int(msg).min(min, msg).max(max, msg).default(fallback);
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
  STORAGE_URL: z
    .string()
    .regex(
      /^(local|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._\/-]*)?)$/,
      "must look like s3://bucket or s3://bucket/prefix (leave it unset to keep files on local disk)",
    )
    .optional(),
  S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://s3.fr-par.scw.cloud" })
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/, "must be a region name such as eu-west-3 or auto")
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(["0", "1", "true", "false"], { error: "must be 1 or 0" }).optional(),
  STORAGE_PRESIGN_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .int()
    .min(0)
    .max(7 * 24 * 3600, "must be at most 604800 (7 days, the S3 limit)")
    .default(0),
  NEWSLETTER_SMTP_POOL: wholeNumber(1, 100, 5),
  NEWSLETTER_RATE_PER_SECOND: wholeNumber(0, 100_000, 0),
  NEWSLETTER_BATCH_SIZE: wholeNumber(1, 5000, 200),
  NEWSLETTER_LEASE_MS: wholeNumber(500, 3_600_000, 60_000),
  NEWSLETTER_WATCH_MS: wholeNumber(100, 600_000, 5_000),
  MAIL_WEBHOOK_TOKEN: z.string().min(1).optional(),
  DKIM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, "must be a domain such as example.com")
    .optional(),
  DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, "must be a DNS label such as atelier2026")
    .optional(),
  DKIM_PRIVATE_KEY: z.string().includes("PRIVATE KEY", { error: "must be a PEM private key" }).optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().min(1).optional(),
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
  const storage = storageConfig(e);
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
    storage,
    newsletter: newsletterConfig(e),
  };
}

function newsletterConfig(e: z.infer<typeof envSchema>): NewsletterConfig {
  if (e.DKIM_PRIVATE_KEY && e.DKIM_PRIVATE_KEY_FILE)
    throw new ConfigError("Configuration error: set DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE, not both");
  let key = e.DKIM_PRIVATE_KEY;
  if (e.DKIM_PRIVATE_KEY_FILE) {
    try {
      key = fs.readFileSync(e.DKIM_PRIVATE_KEY_FILE, "utf8");
    } catch {
      throw new ConfigError(`Configuration error: DKIM_PRIVATE_KEY_FILE cannot be read (${e.DKIM_PRIVATE_KEY_FILE})`);
    }
    if (!key.includes("PRIVATE KEY"))
      throw new ConfigError("Configuration error: DKIM_PRIVATE_KEY_FILE must hold a PEM private key");
  }
  const dkimParts = [e.DKIM_DOMAIN, e.DKIM_SELECTOR, key];
  if (dkimParts.some(Boolean) && !dkimParts.every(Boolean))
    throw new ConfigError(
      "Configuration error: DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE) together",
    );
  return {
    poolSize: e.NEWSLETTER_SMTP_POOL,
    ratePerSecond: e.NEWSLETTER_RATE_PER_SECOND,
    batchSize: e.NEWSLETTER_BATCH_SIZE,
    leaseMs: e.NEWSLETTER_LEASE_MS,
    watchMs: e.NEWSLETTER_WATCH_MS,
    webhookToken: e.MAIL_WEBHOOK_TOKEN,
    dkim:
      e.DKIM_DOMAIN && e.DKIM_SELECTOR && key
        ? { domainName: e.DKIM_DOMAIN, keySelector: e.DKIM_SELECTOR, privateKey: key }
        : undefined,
  };
}

function storageConfig(e: z.infer<typeof envSchema>): StorageConfig {
  const url = e.STORAGE_URL;
  const s3Vars = [e.S3_ENDPOINT, e.S3_REGION, e.S3_ACCESS_KEY_ID, e.S3_SECRET_ACCESS_KEY, e.S3_FORCE_PATH_STYLE];
  if (!url || url === "local") {
    if (s3Vars.some((v) => v !== undefined))
      throw new ConfigError("Configuration error: S3_* variables are set but STORAGE_URL is not s3://bucket/prefix");
    if (e.STORAGE_PRESIGN_SECONDS > 0)
      throw new ConfigError("Configuration error: STORAGE_PRESIGN_SECONDS needs STORAGE_URL=s3://bucket/prefix");
    return { driver: "local", s3: undefined, presignSeconds: 0 };
  }
  if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY)
    throw new ConfigError("Configuration error: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither");
  const rest = url.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const rawPrefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/^\/+|\/+$/g, "");
  if (rawPrefix.split("/").some((p) => p === "." || p === ".."))
    throw new ConfigError("Configuration error: STORAGE_URL prefix must not contain . or .. segments");
  return {
    driver: "s3",
    s3: {
      bucket,
      prefix: rawPrefix ? `${rawPrefix}/` : "",
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION ?? "us-east-1",
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === "1" || e.S3_FORCE_PATH_STYLE === "true",
    },
    presignSeconds: e.STORAGE_PRESIGN_SECONDS,
  };
}
