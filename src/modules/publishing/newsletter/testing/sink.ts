/**
 * An SMTP sink in its own process, for the kill test and the benchmark.
 * It accepts every message (no parsing, so it is never the bottleneck),
 * counts accepted messages per recipient once DATA has fully arrived, and
 * answers GET /counts with {total, counts: {email: n}} and GET /stats with
 * {total, unique}. Prints "SINK <smtpPort> <httpPort>" when listening.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

const counts = new Map<string, number>();
let total = 0;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, session, callback) {
    stream.on("data", () => undefined);
    stream.on("end", () => {
      // Counted before the 250 reply: a sender killed after this point may send it again (a duplicate, never a loss).
      for (const r of session.envelope.rcptTo) {
        const a = r.address.toLowerCase();
        counts.set(a, (counts.get(a) ?? 0) + 1);
      }
      total++;
      callback();
    });
  },
});

// A sender killed mid-conversation resets its connections: expected here.
smtp.on("error", () => undefined);

const api = http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/stats") res.end(JSON.stringify({ total, unique: counts.size }));
  else if (req.url === "/counts") res.end(JSON.stringify({ total, counts: Object.fromEntries(counts) }));
  else if (req.url === "/reset") {
    counts.clear();
    total = 0;
    res.end("{}");
  } else {
    res.statusCode = 404;
    res.end("{}");
  }
});

const port = Number(process.env.SINK_PORT ?? 0);
smtp.listen(port, "127.0.0.1", () => {
  api.listen(0, "127.0.0.1", () => {
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const httpPort = (api.address() as AddressInfo).port;
    process.stdout.write(`SINK ${smtpPort} ${httpPort}\n`);
  });
});
process.on("SIGTERM", () => process.exit(0));
