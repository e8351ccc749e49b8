/**
 * Stored files (logos, post images, downloads, lesson videos, podcast audio).
 * Routes reach the configured storage through `c.var.services.storage`; see
 * /work/wt/STORAGE_API.md (and ARCHITECTURE.md, Storage) for how to use it.
 */
export {
  checkKey,
  isObjectMissing,
  ObjectMissingError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStream,
  type PresignOptions,
  type PutBody,
  type Storage,
} from "./driver.ts";
export { LocalStorage } from "./local.ts";
export { createStorage, describeStorage } from "./create.ts";
export { imageTypes, sniffImageType, type ImageType } from "./images.ts";
export {
  deleteFile,
  discardStoredFile,
  findFile,
  missingFile,
  newFileKey,
  openStoredFile,
  readStoredFile,
  saveImage,
  storeBytes,
  storeUpload,
  type StoredFile,
} from "./files.ts";
export { parseRange } from "./range.ts";
export { serveStoredFile, type ServeOptions } from "./serve.ts";
