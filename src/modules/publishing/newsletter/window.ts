import { Readable } from "node:stream";

/**
 * The acceptance window: how many newsletter messages may, at one moment, be
 * accepted (or about to be) by the SMTP server without their `accepted` mark
 * committed. A kill -9 can only repeat those, so the window is what bounds
 * duplicates; it holds `poolSize` places.
 *
 * A message takes its place when its bytes start to flow to the server (the
 * server cannot accept before the final dot, which only follows the end of
 * its bytes) and gives it back once its outcome is committed. Everything
 * before that — handing the message to the pool, MAIL FROM, RCPT TO, DATA —
 * happens outside the window, so a connection starts its next message while
 * the previous one's mark is being written, instead of waiting idle for it.
 */
export class AcceptWindow {
  private free: number;
  private waiters: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }

  /** Places taken (for tests). */
  get taken(): number {
    return this.size - this.free;
  }
}

/** One message's place: `held` once taken; `settled` once the sender no longer needs it. */
export interface WindowPass {
  held: boolean;
  settled: boolean;
}

export function newPass(): WindowPass {
  return { held: false, settled: false };
}

/**
 * Gives the place back once the message's outcome is committed (or it never got one).
 * A place granted later, to a message already settled, is given back at once by the gate.
 */
export function settlePass(window: AcceptWindow, pass: WindowPass): void {
  pass.settled = true;
  if (pass.held) {
    pass.held = false;
    window.release();
  }
}

/**
 * The message stream as the SMTP connection reads it: nothing flows until the connection
 * asks for the first bytes (after the server answered DATA) and a place in the window is
 * taken. The input (the composed or prebuilt message, DKIM-signed if configured) is
 * buffered meanwhile; a message is a few kilobytes.
 */
export function gatedStream(input: Readable, window: AcceptWindow, pass: WindowPass): Readable {
  const chunks: Buffer[] = [];
  let inputEnded = false;
  let open = false;
  let asked = false;
  let done = false;
  const pump = () => {
    if (!open || done) return;
    while (chunks.length > 0) out.push(chunks.shift());
    if (inputEnded) {
      done = true;
      out.push(null);
    }
  };
  const out = new Readable({
    read() {
      if (asked) return pump();
      asked = true;
      void window.acquire().then(() => {
        if (pass.settled || out.destroyed) {
          window.release();
          return;
        }
        pass.held = true;
        open = true;
        pump();
      });
    },
    destroy(err, callback) {
      input.destroy();
      callback(err);
    },
  });
  input.on("data", (chunk: Buffer | string) => {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    pump();
  });
  input.on("end", () => {
    inputEnded = true;
    pump();
  });
  input.on("error", (err) => out.destroy(err));
  return out;
}

/** gatedStream for a message already in memory: one stream, its bytes pushed in one go once the place is held. */
export function gatedBuffer(bytes: Buffer, window: AcceptWindow, pass: WindowPass): Readable {
  let asked = false;
  const out = new Readable({
    read() {
      if (asked) return;
      asked = true;
      void window.acquire().then(() => {
        if (pass.settled || out.destroyed) {
          window.release();
          return;
        }
        pass.held = true;
        out.push(bytes);
        out.push(null);
      });
    },
  });
  return out;
}
