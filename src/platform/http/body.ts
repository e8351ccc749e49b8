/**
 * The one place request bodies are read. Urlencoded forms are parsed here;
 * multipart forms are streamed through busboy, their files written to
 * DATA_DIR/files/.incoming as they arrive (memory stays flat whatever the
 * size). Every text (field names, values, file names, query strings) must be
 * valid UTF-8: a form is refused with a 400 rather than stored with U+FFFD.
 *
 * A body is read once per request (the CSRF check and the route share the
 * result). Whatever happens to the client (it vanishes, sends less or more
 * than announced, or trickles bytes), the read ends with an AppError, never
 * an unhandled rejection, and the temporary files of a request are removed
 * when it ends unless the route moved them to their final place.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import type { Context, MiddlewareHandler } from "hono";
import { newId } from "../ids.ts";
import { AppError } from "./errors.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { FileGate, rulesFor } from "./file-rules.ts";
import { add, bad, fromLatin1, parseUrlencoded, type FormFields } from "./form-encoding.ts";

export { expectFiles, fileTooLarge, type FileRule, type FileRules } from "./file-rules.ts";
export { checkQueryEncoding, parseUrlencoded, strictUtf8, type FormFields } from "./form-encoding.ts";

/** A file received in a multipart form, on disk in a temporary place until the route keeps it. */
export interface UploadedFile {
  /** The form field it came in. */
  field: string;
  /** The file name the browser gave (already valid UTF-8, not yet cleaned for display). */
  name: string;
  /** The type the browser claimed (never trusted for images: sniff the bytes). */
  type: string;
  size: number;
  /** Absolute path of the temporary file. */
  tmpPath: string;
  /** The whole file in memory (small files only: images, logos). */
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Moves the file to a place on this node's disk; after this the request's cleanup leaves it alone.
   * Not for stored files (other nodes would not see them): use storeUpload from platform/storage.
   */
  keepAt(absPath: string): void;
}

export interface ParsedBody {
  fields: FormFields;
  files: UploadedFile[];
}

export interface ReadBodyOptions {
  /** Called when the first file part starts, with the fields read so far; a throw refuses the upload before a byte is kept. */
  beforeFile?: (fields: FormFields) => void;
}

/** Default body size; routes that take uploads declare theirs with allowLargeBody. */
export const defaultBodyBytes = 1024 * 1024;
const largeBodyPaths = new Map<string, number>();
const fileCaps = new Map<string, Record<string, number>>();

/**
 * Lets an upload form take more than the default 1 MB body (the limit counts the whole multipart body).
 * `fileLimits` (bytes per file field): a file over its limit is read to its end but not written past
 * the limit, so the form's own translated "too large" answer (with what was typed) comes back
 * instead of a 413 page, and the disk never holds more than the limit. Its `size` is the size sent.
 */
export function allowLargeBody(routePath: string, maxBytes: number, fileLimits?: Record<string, number>): void {
  largeBodyPaths.set(routePath, maxBytes);
  if (fileLimits) fileCaps.set(routePath, fileLimits);
  else fileCaps.delete(routePath);
}

export function bodyLimitFor(routePath: string): number {
  return largeBodyPaths.get(routePath) ?? defaultBodyBytes;
}

/**
 * Time limits on reading a body: no byte for `idleMs`, or the whole body not
 * there after `totalMs`, and the request is answered 408 and the connection closed.
 */
export const bodyTimeouts = { idleMs: 30_000, totalMs: 15 * 60_000 };

export function setBodyTimeouts(t: Partial<typeof bodyTimeouts>): void {
  Object.assign(bodyTimeouts, t);
}

const parsedBodies = new WeakMap<Context, Promise<ParsedBody>>();
const requestFiles = new WeakMap<Context, Set<string>>();

/** The temporary folder for incoming files (inside the files folder, so a rename keeps them). */
export function incomingDir(filesDir: string): string {
  return path.join(filesDir, ".incoming");
}

export function isFormType(type: string): boolean {
  const t = type.toLowerCase();
  return t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data");
}

/** Reads the request's form (urlencoded or multipart); 415 for other types. Repeated calls share the first read. */
export function readBody(c: AppContext, opts: ReadBodyOptions = {}): Promise<ParsedBody> {
  let parsed = parsedBodies.get(c);
  if (!parsed) {
    parsed = parse(c, opts);
    parsedBodies.set(c, parsed);
  }
  return parsed;
}

/** Removes the temporary files a request left behind once its answer is ready (mounted once, before the routes). */
export function bodyCleanup(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      await next();
    } finally {
      await cleanupBody(c);
    }
  };
}

/**
 * What bodyCleanup does after the route: waits for a body still being parsed, then deletes its
 * files. Nothing to wait for (most requests): nothing returned to wait on.
 */
export function cleanupBody(c: Context): Promise<void> | undefined {
  const pending = parsedBodies.get(c);
  if (pending) return pending.then(removeFiles.bind(null, c), removeFiles.bind(null, c));
  removeFiles(c);
  return undefined;
}

function removeFiles(c: Context): void {
  const files = requestFiles.get(c);
  if (files) for (const file of files) fs.rmSync(file, { force: true });
}

/**
 * Guards a body stream: counts bytes against the limit and enforces the time
 * limits. Its errors are AppErrors, which the pipeline hands to the reader.
 */
class BodyGuard extends Transform {
  private size = 0;
  private idle: NodeJS.Timeout;
  private readonly total: NodeJS.Timeout;

  constructor(private readonly max: number) {
    super();
    const expire = () => this.destroy(bad("error.body_timeout", 408));
    this.idle = setTimeout(expire, bodyTimeouts.idleMs);
    this.total = setTimeout(expire, bodyTimeouts.totalMs);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.idle.refresh();
    this.size += chunk.length;
    if (this.size > this.max) return done(new AppError("payload_too_large", 413));
    done(null, chunk);
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    clearTimeout(this.total);
    done(err);
  }
}

/** What a failed read becomes: our own errors as they are; a vanished client or a broken body, a 400. */
function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return bad();
}

function source(c: AppContext): Readable | null {
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>) : null;
}

async function parse(c: AppContext, opts: ReadBodyOptions): Promise<ParsedBody> {
  const type = c.req.header("content-type") ?? "";
  if (!isFormType(type)) throw new AppError("unsupported_media", 415);
  const max = bodyLimitFor(c.req.path);
  const input = source(c);
  if (!input) return { fields: Object.create(null) as FormFields, files: [] };
  if (type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    const chunks: Buffer[] = [];
    try {
      await pipeline(input, new BodyGuard(max), async function* (stream: AsyncIterable<Buffer>) {
        for await (const chunk of stream) chunks.push(chunk);
      });
    } catch (err) {
      throw asAppError(err);
    }
    return { fields: parseUrlencoded(Buffer.concat(chunks)), files: [] };
  }
  return parseMultipart(c, type, input, max, opts);
}

async function parseMultipart(
  c: AppContext,
  type: string,
  input: Readable,
  max: number,
  opts: ReadBodyOptions,
): Promise<ParsedBody> {
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: { "content-type": type },
      defCharset: "latin1",
      defParamCharset: "latin1",
      limits: { files: 10, fields: 500, parts: 600, fieldSize: max, fileSize: max, headerPairs: 20 },
    });
  } catch {
    // No or bad boundary: busboy refuses to start.
    input.destroy();
    throw bad("error.bad_multipart");
  }
  const rules = rulesFor(c);
  const dir = incomingDir(c.var.services.config.filesDir);
  const owned = requestFiles.get(c) ?? new Set<string>();
  requestFiles.set(c, owned);
  const fields: FormFields = Object.create(null) as FormFields;
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  // An object, not a let: the busboy callbacks assign it, and TypeScript does not track closures.
  const state: { failure: AppError | null; sawFile: boolean } = { failure: null, sawFile: false };
  const fail = (err: AppError) => {
    state.failure ??= err;
    bb.destroy(err);
  };

  bb.on("field", (name, value, info) => {
    try {
      if (info.nameTruncated || info.valueTruncated) throw new AppError("payload_too_large", 413);
      add(fields, fromLatin1(name), fromLatin1(value));
    } catch (err) {
      fail(asAppError(err));
    }
  });
  bb.on("file", (name, stream, info) => {
    try {
      if (!state.sawFile) {
        state.sawFile = true;
        opts.beforeFile?.(fields);
      }
      const fieldName = fromLatin1(name);
      const fileName = info.filename === undefined ? "" : fromLatin1(info.filename);
      fs.mkdirSync(dir, { recursive: true });
      const tmpPath = path.join(dir, `${newId()}.part`);
      owned.add(tmpPath);
      const cap = fileCaps.get(c.req.path)?.[fieldName];
      const file = uploaded(fieldName, fileName, info.mimeType, tmpPath, owned, cap);
      let truncated = false;
      stream.on("limit", () => (truncated = true));
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          file.size += chunk.length;
          // Over its field's limit: keep reading (the rest of the form follows) but write nothing more.
          if (cap !== undefined && file.size > cap) return done();
          done(null, chunk);
        },
      });
      const rule = rules?.[fieldName];
      // With a rule, nothing reaches the disk before its check has seen the first bytes.
      const written = rule
        ? pipeline(stream, new FileGate(rule), count, fs.createWriteStream(tmpPath))
        : pipeline(stream, count, fs.createWriteStream(tmpPath));
      writes.push(
        written.then(
          () => {
            if (truncated) fail(new AppError("payload_too_large", 413));
            // Browsers send an empty, nameless part for a file input left empty: that is no file.
            else if (file.size > 0 || fileName) files.push(file);
          },
          (err: unknown) => fail(asAppError(err)),
        ),
      );
    } catch (err) {
      // Not read: drain it, and let the parser's own error (it is being destroyed) end here.
      stream.on("error", () => undefined).resume();
      fail(asAppError(err));
    }
  });
  bb.on("partsLimit", () => fail(new AppError("payload_too_large", 413)));
  bb.on("filesLimit", () => fail(new AppError("payload_too_large", 413)));
  bb.on("fieldsLimit", () => fail(new AppError("payload_too_large", 413)));

  try {
    await pipeline(input, new BodyGuard(max), bb);
  } catch (err) {
    state.failure ??= err instanceof AppError ? err : bad("error.bad_multipart");
  }
  await Promise.allSettled(writes);
  if (state.failure) {
    for (const f of owned) fs.rmSync(f, { force: true });
    throw state.failure;
  }
  return { fields, files };
}

function uploaded(
  field: string,
  name: string,
  type: string,
  tmpPath: string,
  owned: Set<string>,
  cap?: number,
): UploadedFile {
  const file: UploadedFile = {
    field,
    name,
    type,
    size: 0,
    tmpPath,
    async bytes() {
      // Only its first bytes are on disk: never hand them out as if they were the file.
      if (cap !== undefined && file.size > cap) throw new AppError("payload_too_large", 413);
      const buf = await fs.promises.readFile(tmpPath);
      return new Uint8Array(
        buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      ) as Uint8Array<ArrayBuffer>;
    },
    keepAt(absPath: string) {
      fs.mkdirSync(path.dirname(absPath), { recursive: true });
      fs.renameSync(tmpPath, absPath);
      owned.delete(tmpPath);
    },
  };
  return file;
}

/** The text fields of a read body (files left out). */
export async function readFields(c: AppContext): Promise<FormFields> {
  return (await readBody(c)).fields;
}

/** The first file sent in a field, or null when none was chosen. */
export function fileIn(body: ParsedBody, field: string): UploadedFile | null {
  return body.files.find((f) => f.field === field) ?? null;
}
