import fs from "node:fs";
import type { Config } from "../config.ts";
import type { Storage } from "./driver.ts";
import { LocalStorage } from "./local.ts";
import { S3Storage } from "./s3.ts";

/** The storage the configuration names (STORAGE_URL): S3 when set, local disk under DATA_DIR/files otherwise. */
export function createStorage(config: Pick<Config, "filesDir" | "storage">): Storage {
  if (config.storage.driver === "s3" && config.storage.s3) return new S3Storage(config.storage.s3);
  fs.mkdirSync(config.filesDir, { recursive: true });
  return new LocalStorage(config.filesDir);
}

/** A sentence for the start log and `atelier doctor`-like output, without secrets. */
export function describeStorage(config: Pick<Config, "filesDir" | "storage">): string {
  const s3 = config.storage.s3;
  if (config.storage.driver === "s3" && s3)
    return `s3://${s3.bucket}/${s3.prefix}${s3.endpoint ? ` at ${s3.endpoint}` : ""}`;
  return `local disk ${config.filesDir}`;
}
