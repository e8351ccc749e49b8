/**
 * Strict decoding of form text: urlencoded bodies and query strings percent-decoded to bytes, and
 * multipart names and values (read by busboy as Latin-1) turned back into bytes, then decoded as
 * UTF-8 with a 400 for anything invalid rather than text stored with U+FFFD.
 */
import { AppError } from "./errors.ts";

export type FormFields = Record<string, string | string[]>;

/** A refused body: 400 (or 408 when it came too slowly), with the translated key of what was wrong. */
export function bad(key = "error.bad_body", status: 400 | 408 = 400): AppError {
  return new AppError(status === 408 ? "request_timeout" : "bad_request", status, key);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes to text, refusing anything that is not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw bad("error.bad_encoding");
  }
}

/**
 * busboy decodes multipart headers and values as Latin-1 when told to, which
 * maps each byte to one character: turning them back into bytes and decoding
 * them strictly is the UTF-8 check. A part that names its own charset is
 * decoded by busboy with it; such a value has characters above U+00FF or is
 * undefined (a charset busboy cannot decode), and is refused if it holds U+FFFD.
 */
export function fromLatin1(value: string | undefined): string {
  if (value === undefined) throw bad("error.bad_encoding");
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  if (/[^\x00-\xff]/.test(value)) {
    if (value.includes("\ufffd")) throw bad("error.bad_encoding");
    return value;
  }
  return strictUtf8(Buffer.from(value, "latin1"));
}

/** Percent-decodes one urlencoded name or value to bytes ('+' is a space), then decodes them strictly. */
function decodeComponent(raw: Uint8Array): string {
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x2b) out[n++] = 0x20;
    else if (b === 0x25 && i + 2 < raw.length && isHex(raw[i + 1]) && isHex(raw[i + 2])) {
      out[n++] = parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16);
      i += 2;
    } else out[n++] = b;
  }
  return strictUtf8(out.subarray(0, n));
}

function isHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

export function add(fields: FormFields, name: string, value: string): void {
  const had = fields[name];
  if (had === undefined) fields[name] = value;
  else if (Array.isArray(had)) had.push(value);
  else fields[name] = [had, value];
}

/** Parses an urlencoded body or query string (without its '?'), strictly: invalid UTF-8 is a 400. */
export function parseUrlencoded(bytes: Uint8Array): FormFields {
  const fields: FormFields = Object.create(null) as FormFields;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x26) continue;
    const pair = bytes.subarray(start, i);
    start = i + 1;
    if (pair.length === 0) continue;
    const eq = pair.indexOf(0x3d);
    const name = decodeComponent(eq < 0 ? pair : pair.subarray(0, eq));
    add(fields, name, eq < 0 ? "" : decodeComponent(pair.subarray(eq + 1)));
  }
  return fields;
}

/**
 * Refuses (400) a query string that is not valid UTF-8 once percent-decoded. One made of ASCII
 * characters without any percent-escape (most) is valid as it is: no bytes to decode.
 */
export function checkQueryEncoding(url: string): void {
  const q = url.indexOf("?");
  if (q < 0) return;
  const query = url.slice(q + 1).split("#")[0]!;
  if (!/[^\x00-\x24\x26-\x7f]/.test(query)) return;
  parseUrlencoded(Buffer.from(query, "utf8"));
}
