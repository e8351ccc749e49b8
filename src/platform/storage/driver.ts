import type { Readable } from "node:stream";

/**
 * The driver-independent face of file storage: keys in, bytes out, always as
 * streams (a 500 MB episode never sits in memory). Keys are the `files.path`
 * values (`ab12cd34/<uuid>`, `downloads/ab12cd34/<uuid>`): relative, `/`-separated.
 */
export interface Storage {
  /** "local" (DATA_DIR/files, the default) or "s3" (STORAGE_URL=s3://bucket/prefix). */
  readonly kind: "local" | "s3";
  /** Writes an object whole or not at all (readers never see half a file). */
  put(key: string, body: PutBody, opts?: { mime?: string }): Promise<void>;
  /** A stream of the object, or of an inclusive byte range of it; throws ObjectMissingError. */
  get(key: string, range?: ByteRange): Promise<ObjectStream>;
  /** Its size, or null when there is no such object. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Removes it; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object under a key prefix ("" for all), for backups and migrations. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** A short-lived URL the browser can fetch directly (S3 only; undefined on disk). */
  presignGet?(key: string, opts: PresignOptions): Promise<string>;
}

/** What to store: a Node stream (give its size when known), a file on local disk, or bytes in memory. */
export type PutBody =
  | { stream: Readable; size?: number }
  /** `move: true` lets the local driver rename the file instead of copying it (the source is then gone). */
  | { path: string; size: number; move?: boolean }
  | { bytes: Uint8Array };

/** Inclusive byte offsets, as in HTTP: bytes 0-9 are the first ten. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectInfo {
  key: string;
  size: number;
}

export interface ObjectStream {
  stream: Readable;
  /** Bytes in this stream (the range's length when a range was asked). */
  size: number;
  /** The whole object's size. */
  totalSize: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  contentType?: string;
  contentDisposition?: string;
}

/** The object is not in the store (a restore without the files, a bucket emptied by hand). */
export class ObjectMissingError extends Error {
  readonly code = "object_missing";
  constructor(readonly key: string) {
    super(`stored object missing: ${key}`);
  }
}

export function isObjectMissing(err: unknown): err is ObjectMissingError {
  return err instanceof ObjectMissingError;
}

/** Keys are relative paths of safe characters; `..`, absolute paths and empty segments are refused. */
export function checkKey(key: string): string {
  if (
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) ||
    key.split("/").some((s) => s === "." || s === "..") ||
    key.length > 512
  )
    throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
  return key;
}
