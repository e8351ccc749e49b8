import { Transform, type TransformCallback } from "node:stream";
import type { AppContext } from "./context.ts";
import { AppError } from "./errors.ts";

/**
 * What a route takes in one file field, checked while the file streams in:
 * the first bytes are shown to `check` before any byte is written (a throw,
 * e.g. a translated 415, refuses the upload and ends the body's reading), and
 * the file stops at `maxBytes` (a 413) rather than at the path's body limit.
 */
export interface FileRule {
  maxBytes: number;
  /** Sees the file's first `sniffBytes` bytes (fewer when the file is shorter); throws an AppError to refuse. */
  check?: (head: Uint8Array) => void;
  /** How many first bytes `check` needs (default 4100, what magic-number tables read). */
  sniffBytes?: number;
}
export type FileRules = Record<string, FileRule>;
const fileRulePaths = new Map<string, (c: AppContext) => FileRules | undefined>();

/**
 * Declares the file fields a path takes (by field name), or a function of the
 * request that says so (one path for several kinds: ?kind=video). Fields not
 * named are read as before (within the path's body limit).
 */
export function expectFiles(routePath: string, rules: FileRules | ((c: AppContext) => FileRules | undefined)): void {
  fileRulePaths.set(routePath, typeof rules === "function" ? rules : () => rules);
}

/** The 413 of a file over its own limit, in MB for the message. */
export function fileTooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", 413, "error.file_too_large", {}, { max: Math.ceil(maxBytes / 2 ** 20) });
}

/**
 * Holds a file's first bytes until its rule's check has seen them, then lets
 * everything through; counts the file against its own limit.
 */
export class FileGate extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private open: boolean;
  private size = 0;

  constructor(private readonly rule: FileRule) {
    super();
    this.open = !rule.check;
  }

  private release(): void {
    this.open = true;
    // An empty part is a file input left empty, not a file of the wrong type.
    if (this.heldBytes > 0) this.rule.check?.(new Uint8Array(Buffer.concat(this.held)));
    for (const b of this.held) this.push(b);
    this.held = [];
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.rule.maxBytes) return done(fileTooLarge(this.rule.maxBytes));
    if (this.open) return done(null, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    try {
      if (this.heldBytes >= (this.rule.sniffBytes ?? 4100)) this.release();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.open) this.release();
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}

/** The rules of the request's path, if it declared any. */
export function rulesFor(c: AppContext): FileRules | undefined {
  return fileRulePaths.get(c.req.path)?.(c);
}
