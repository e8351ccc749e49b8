import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { newId } from "../ids.ts";
import {
  checkKey,
  ObjectMissingError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStream,
  type PutBody,
  type Storage,
} from "./driver.ts";

/** Folders under the files folder that are not stored objects (upload temp files). */
const privateDirs = new Set([".incoming", ".tmp"]);

/**
 * Files on local disk under DATA_DIR/files (the default). Each write goes to a
 * temporary name in the same folder tree, then is renamed: a crash never
 * leaves a half file under the final name.
 */
export class LocalStorage implements Storage {
  readonly kind = "local" as const;

  constructor(readonly root: string) {}

  private abs(key: string): string {
    return path.join(this.root, checkKey(key));
  }

  async put(key: string, body: PutBody): Promise<void> {
    const abs = this.abs(key);
    await fs.promises.mkdir(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${newId()}.tmp`;
    try {
      if ("bytes" in body) await fs.promises.writeFile(tmp, body.bytes);
      else if ("stream" in body) await pipeline(body.stream, fs.createWriteStream(tmp));
      else if (body.move) {
        try {
          await fs.promises.rename(body.path, abs);
          return;
        } catch (err) {
          // Another disk: copy instead.
          if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
          await fs.promises.copyFile(body.path, tmp);
        }
      } else await fs.promises.copyFile(body.path, tmp);
      await fs.promises.rename(tmp, abs);
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectStream> {
    const abs = this.abs(key);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(abs, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new ObjectMissingError(key);
      throw err;
    }
    const totalSize = (await handle.stat()).size;
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? totalSize - 1, totalSize - 1);
    if (totalSize === 0 || start > end) {
      await handle.close();
      return { stream: Readable.from([]), size: 0, totalSize };
    }
    const stream = handle.createReadStream({ start, end, autoClose: true });
    return { stream, size: end - start + 1, totalSize };
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const st = await fs.promises.stat(this.abs(key));
      return st.isFile() ? { key, size: st.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.abs(key), { force: true });
  }

  async *list(prefix = ""): AsyncIterable<ObjectInfo> {
    const walk = async function* (dir: string, rel: string): AsyncGenerator<ObjectInfo> {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!rel && privateDirs.has(e.name)) continue;
          yield* walk(path.join(dir, e.name), key);
        } else if (e.isFile() && !e.name.endsWith(".tmp") && key.startsWith(prefix)) {
          const st = await fs.promises.stat(path.join(dir, e.name));
          yield { key, size: st.size };
        }
      }
    };
    yield* walk(this.root, "");
  }
}
