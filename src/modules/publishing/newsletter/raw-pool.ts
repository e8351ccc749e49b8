import { Readable } from "node:stream";
import DKIM from "nodemailer/lib/dkim";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { AcceptWindow, gatedBuffer, gatedStream, type WindowPass } from "./window.ts";

/**
 * The newsletter's SMTP pool: `size` connections (nodemailer's SMTPConnection, so EHLO,
 * STARTTLS and AUTH are nodemailer's) that send messages already built as bytes. Every
 * newsletter message is raw MIME by the time it is sent (prebuilt.ts, or MailComposer for the
 * rare message composed the usual way), so the per-message work of nodemailer's Mailer (a MIME
 * tree, a random Message-ID that is thrown away, a plugin chain and a stream pipeline per
 * message) is skipped: profiled, it was a fifth of the worker's time on a 100,000-member send.
 */
export interface RawMail {
  from: string;
  to: string[];
  raw: Buffer;
  /** Its place in the acceptance window (window.ts): no byte flows before it holds one. */
  pass?: WindowPass;
}

export interface RawPoolOptions {
  size: number;
  /** Messages per second across the pool, 0 = no cap. */
  ratePerSecond: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string } | undefined;
  window: AcceptWindow;
}

interface Queued {
  mail: RawMail;
  resolve: () => void;
  reject: (err: unknown) => void;
  requeued: boolean;
}

type SmtpError = Error & { code?: string; responseCode?: number };

/** A refused message on a sound connection: reset the session and keep the connection. */
function refusedOnly(err: SmtpError): boolean {
  return (err.code === "EENVELOPE" || err.code === "EMESSAGE") && err.responseCode !== 421;
}

function transient(err: SmtpError): boolean {
  return err.responseCode === 421 || ["ECONNECTION", "ESOCKET", "ETIMEDOUT"].includes(err.code ?? "");
}

interface Lane {
  conn: SMTPConnection | undefined;
  busy: boolean;
  sent: number;
  /** Forgets this connection (closed, failed): the pool opens another when it needs one. */
  drop: (err: SmtpError) => void;
}

export class RawPool {
  private queue: Queued[] = [];
  private lanes: Lane[] = [];
  private closed = false;
  private dkim: DKIM | undefined;
  private rate = { started: 0, count: 0 };
  private readonly options: SMTPConnection.Options & { auth?: { user: string; pass: string } };

  constructor(
    smtpUrl: string,
    private opts: RawPoolOptions,
  ) {
    this.options = parseConnectionUrl(smtpUrl) as typeof this.options;
    this.dkim = opts.dkim ? new DKIM(opts.dkim) : undefined;
  }

  send(mail: RawMail): Promise<void> {
    if (this.closed) return Promise.reject(new Error("SMTP pool closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ mail, resolve, reject, requeued: false });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    for (const lane of this.lanes) lane.conn?.quit();
    this.lanes = [];
    for (const q of this.queue.splice(0)) q.reject(new Error("SMTP pool closed"));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const lane = this.lanes.find((l) => !l.busy && l.conn);
      if (lane) {
        if (!this.allowed()) return;
        this.run(lane, this.queue.shift()!);
        continue;
      }
      // No idle connection: open one if the pool has room (it takes the next message when ready).
      if (this.lanes.length < this.opts.size && !this.lanes.some((l) => !l.conn)) this.open();
      return;
    }
  }

  /** The rate cap (ratePerSecond): a fixed one-second window, like nodemailer's rateDelta/rateLimit. */
  private allowed(): boolean {
    const limit = this.opts.ratePerSecond;
    if (limit <= 0) return true;
    const now = Date.now();
    if (now - this.rate.started >= 1000) this.rate = { started: now, count: 0 };
    if (this.rate.count < limit) {
      this.rate.count++;
      return true;
    }
    setTimeout(() => this.pump(), this.rate.started + 1000 - now).unref();
    return false;
  }

  private open(): void {
    const conn = new SMTPConnection(this.options);
    let dead = false;
    const lane: Lane = {
      conn: undefined,
      busy: false,
      sent: 0,
      drop: (err) => {
        if (dead) return;
        dead = true;
        const wasReady = lane.conn !== undefined;
        this.lanes = this.lanes.filter((l) => l !== lane);
        conn.close();
        // A server that cannot be reached fails what is waiting (the rows are retried later), not forever.
        if (!wasReady) for (const q of this.queue.splice(0)) q.reject(err);
        else this.pump();
      },
    };
    this.lanes.push(lane);
    // A send in flight gets its own error through its callback; an idle connection just goes away.
    conn.on("error", (err: SmtpError) => {
      if (!lane.busy) lane.drop(err);
    });
    conn.once("end", () => {
      if (!lane.busy) lane.drop(Object.assign(new Error("SMTP connection closed"), { code: "ECONNECTION" }));
    });
    conn.connect(() => {
      const auth = this.options.auth;
      const start = () => {
        if (dead) return;
        if (this.closed) return conn.quit();
        lane.conn = conn;
        this.pump();
      };
      if (auth && (auth.user || auth.pass) && conn.allowsAuth)
        conn.login({ user: auth.user, pass: auth.pass }, (err) => (err ? lane.drop(err as SmtpError) : start()));
      else start();
    });
  }

  private run(lane: Lane, q: Queued): void {
    lane.busy = true;
    const { mail } = q;
    const win = this.opts.window;
    const stream = this.dkim
      ? mail.pass
        ? gatedStream(this.dkim.sign(mail.raw), win, mail.pass)
        : this.dkim.sign(mail.raw)
      : mail.pass
        ? gatedBuffer(mail.raw, win, mail.pass)
        : Readable.from([mail.raw], { objectMode: false });
    const reused = lane.sent > 0;
    lane.conn!.send({ from: mail.from, to: mail.to }, stream, (err) => {
      lane.busy = false;
      lane.sent++;
      if (!err) {
        q.resolve();
        return this.pump();
      }
      const e = err as SmtpError;
      if (refusedOnly(e) && lane.conn) {
        q.reject(e);
        lane.busy = true;
        lane.conn.reset((resetErr) => {
          lane.busy = false;
          if (resetErr) lane.drop(resetErr as SmtpError);
          else this.pump();
        });
        return;
      }
      // The server dropped a connection that had already served: if not a byte of this message
      // went out, it goes out over another connection (once).
      if (reused && !q.requeued && transient(e) && !stream.readableDidRead) {
        q.requeued = true;
        this.queue.unshift(q);
      } else q.reject(e);
      lane.drop(e);
    });
  }
}
