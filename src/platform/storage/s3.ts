import fs from "node:fs";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { S3Config } from "../config.ts";
import {
  checkKey,
  ObjectMissingError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStream,
  type PresignOptions,
  type PutBody,
  type Storage,
} from "./driver.ts";

/** Objects up to this size go in one PUT; larger ones (or streams of unknown size) as a multipart upload. */
const singlePutMax = 16 * 1024 * 1024;
/** Multipart part size and parallelism: memory stays near partSize × queueSize whatever the file's size. */
const partSize = 8 * 1024 * 1024;
const queueSize = 2;

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException) {
    return err.$metadata.httpStatusCode === 404 || err.name === "NoSuchKey" || err.name === "NotFound";
  }
  return false;
}

/**
 * S3-compatible object storage (AWS S3, Cloudflare R2, Scaleway, OVH, B2,
 * MinIO, Ceph RGW) through the official SDK. An object appears whole or not
 * at all: single PUTs and completed multipart uploads are atomic in S3.
 */
export class S3Storage implements Storage {
  readonly kind = "s3" as const;
  readonly client: S3Client;

  constructor(readonly cfg: S3Config) {
    this.client = new S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.forcePathStyle,
      credentials:
        cfg.accessKeyId && cfg.secretAccessKey
          ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey }
          : undefined,
      // Checksums on every request are optional in S3 and not understood by every compatible server.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private objectKey(key: string): string {
    return this.cfg.prefix + checkKey(key);
  }

  async put(key: string, body: PutBody, opts: { mime?: string } = {}): Promise<void> {
    const Key = this.objectKey(key);
    const ContentType = opts.mime ?? "application/octet-stream";
    const base = { Bucket: this.cfg.bucket, Key, ContentType };
    if ("bytes" in body && body.bytes.length <= singlePutMax) {
      await this.client.send(new PutObjectCommand({ ...base, Body: body.bytes, ContentLength: body.bytes.length }));
      return;
    }
    if ("path" in body && body.size <= singlePutMax) {
      await this.client.send(
        new PutObjectCommand({ ...base, Body: fs.createReadStream(body.path), ContentLength: body.size }),
      );
      return;
    }
    const source: Readable | Uint8Array =
      "bytes" in body ? body.bytes : "path" in body ? fs.createReadStream(body.path) : body.stream;
    const upload = new Upload({
      client: this.client,
      params: { ...base, Body: source },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(key: string, range?: ByteRange): Promise<ObjectStream> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.cfg.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      const stream = out.Body as Readable;
      const size = Number(out.ContentLength ?? 0);
      const total = /\/(\d+)$/.exec(out.ContentRange ?? "")?.[1];
      return { stream, size, totalSize: total ? Number(total) : size };
    } catch (err) {
      if (isNotFound(err)) throw new ObjectMissingError(key);
      // A range beyond the end of the object: an empty read rather than an error.
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) {
        const info = await this.stat(key);
        if (!info) throw new ObjectMissingError(key);
        return { stream: Readable.from([]), size: 0, totalSize: info.size };
      }
      throw err;
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
      return { key, size: Number(out.ContentLength ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async *list(prefix = ""): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.cfg.bucket,
          Prefix: this.cfg.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.cfg.prefix.length), size: Number(o.Size ?? 0) };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  presignGet(key: string, opts: PresignOptions): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.cfg.bucket,
        Key: this.objectKey(key),
        ResponseContentType: opts.contentType,
        ResponseContentDisposition: opts.contentDisposition,
      }),
      { expiresIn: opts.expiresInSeconds },
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
