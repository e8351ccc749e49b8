import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * HTTP by hand over node:net, for what fetch cannot do: a body shorter or
 * longer than its Content-Length, a client that vanishes mid-upload, a sender
 * that trickles bytes. Used by the body-reading and fuzz tests.
 */
export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

export interface RawConnection {
  socket: net.Socket;
  write(data: string | Uint8Array): void;
  /** Resolves with the first answer once the server has closed the connection or after `ms`. */
  answer(ms?: number): Promise<RawAnswer>;
  destroy(): void;
}

export async function connectRaw(baseUrl: string): Promise<RawConnection> {
  const u = new URL(baseUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  // The server may answer and close while we are still writing: that is an outcome, not an error.
  socket.on("error", () => undefined);
  const chunks: Buffer[] = [];
  let closed = false;
  const closing = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  socket.on("data", (d: Buffer) => chunks.push(d));
  return {
    socket,
    write(data) {
      if (!socket.destroyed) socket.write(data);
    },
    async answer(ms = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closing, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
      return parseAnswer(Buffer.concat(chunks), closed);
    },
    destroy() {
      socket.destroy();
    },
  };
}

function parseAnswer(raw: Buffer, closed: boolean): RawAnswer {
  const text = raw.toString("utf8");
  const end = text.indexOf("\r\n\r\n");
  if (!text.startsWith("HTTP/1.1 ") || end < 0) return { status: 0, headers: {}, text, closed };
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine!.split(" ")[1]), headers, text: text.slice(end + 4), closed };
}

/** The request line and headers of a POST (Content-Length as given, which may not be the body's). */
export function postHead(baseUrl: string, target: string, headers: Record<string, string>): string {
  const host = new URL(baseUrl).host;
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `POST ${target} HTTP/1.1\r\nHost: ${host}\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A multipart body's text fields, then the headers of one file part (its bytes are the caller's). */
export function multipartStart(boundary: string, fields: Record<string, string>, file: string): string {
  let out = "";
  for (const [k, v] of Object.entries(fields))
    out += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  out += `--${boundary}\r\nContent-Disposition: form-data; name="${file}"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`;
  return out;
}

/** Polls a condition on the app's state (not on time) until it holds or the deadline passes. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Files under a folder whose names say they are unfinished (temporary uploads, half-written files). */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(part|tmp)$/.test(e.name) || full.includes(`${path.sep}.incoming${path.sep}`)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export async function healthy(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/healthz`)).status === 200;
  } catch {
    return false;
  }
}
