import type { Config } from "../config.ts";
import type { ObjectInfo, Storage } from "./driver.ts";
import { LocalStorage } from "./local.ts";

/** The storage the configuration names (STORAGE_URL): S3 when set, local disk under DATA_DIR/files otherwise. */
export function createStorage(config: Pick<Config, "filesDir" | "storage">): Storage {
  const s3 = config.storage.s3;
  if (config.storage.driver === "s3" && s3)
    return new LazyStorage("s3", async () => new (await import("./s3.ts")).S3Storage(s3));
  // No folder made here: a refused restore must leave DATA_DIR untouched (puts make their folders).
  return new LocalStorage(config.filesDir);
}

/** A sentence for the start log and `atelier doctor`-like output, without secrets. */
export function describeStorage(config: Pick<Config, "filesDir" | "storage">): string {
  const s3 = config.storage.s3;
  if (config.storage.driver === "s3" && s3)
    return `s3://${s3.bucket}/${s3.prefix}${s3.endpoint ? ` at ${s3.endpoint}` : ""}`;
  return `local disk ${config.filesDir}`;
}

/**
 * A storage whose driver is loaded on first use: the S3 SDK is a tenth of the server's start-up
 * (its modules evaluated at import) and a site on local disk never needs it. Every call waits for
 * the one load; a failed load is retried by the next call.
 */
class LazyStorage implements Storage {
  private real: Promise<Storage> | undefined;
  constructor(
    readonly kind: Storage["kind"],
    private readonly load: () => Promise<Storage>,
  ) {}

  private driver(): Promise<Storage> {
    this.real ??= this.load().catch((err: unknown) => {
      this.real = undefined;
      throw err;
    });
    return this.real;
  }

  async put(...args: Parameters<Storage["put"]>): Promise<void> {
    return (await this.driver()).put(...args);
  }
  async get(...args: Parameters<Storage["get"]>): ReturnType<Storage["get"]> {
    return (await this.driver()).get(...args);
  }
  async stat(...args: Parameters<Storage["stat"]>): ReturnType<Storage["stat"]> {
    return (await this.driver()).stat(...args);
  }
  async delete(key: string): Promise<void> {
    return (await this.driver()).delete(key);
  }
  async *list(prefix?: string): AsyncIterable<ObjectInfo> {
    yield* (await this.driver()).list(prefix);
  }
  async presignGet(...args: Parameters<NonNullable<Storage["presignGet"]>>): Promise<string> {
    const d = await this.driver();
    if (!d.presignGet) throw new Error(`${this.kind} storage cannot presign`);
    return d.presignGet(...args);
  }
  async check(): Promise<void> {
    await (await this.driver()).check?.();
  }
}
