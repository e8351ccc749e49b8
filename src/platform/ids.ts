import { uuidv7 } from "uuidv7";

/** Sortable random ids (UUIDv7) stored as text. */
export function newId(): string {
  return uuidv7();
}

/** Times are stored as ISO-8601 UTC strings, which sort like the instants they name. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function isoIn(ms: number, from: Date = new Date()): string {
  return new Date(from.getTime() + ms).toISOString();
}
