import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { RawPool } from "./raw-pool.ts";
import { AcceptWindow, newPass, settlePass } from "./window.ts";

/** An in-process SMTP server that keeps what it received and refuses one address at RCPT TO. */
const received: { to: string[]; data: string }[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (address.address === "refused@example.test") {
      const err = Object.assign(new Error("No such user"), { responseCode: 550 });
      return callback(err);
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString() });
      callback();
    });
  },
});
const port = await new Promise<number>((resolve) =>
  server.listen(0, "127.0.0.1", () => resolve((server.server.address() as AddressInfo).port)),
);
const pools: RawPool[] = [];
after(async () => {
  for (const p of pools) p.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function message(i: number): Buffer {
  // A line starting with a dot must arrive intact (the connection dot-stuffs it).
  return Buffer.from(`To: m${i}@example.test\r\nSubject: n${i}\r\n\r\nHello ${i}\r\n.dot line\r\n`);
}

test("raw messages arrive byte for byte; a refused recipient fails alone and the pool goes on", async () => {
  const window = new AcceptWindow(2);
  const pool = new RawPool(`smtp://127.0.0.1:${port}`, { size: 2, ratePerSecond: 0, window });
  pools.push(pool);
  received.length = 0;
  const sends = Array.from({ length: 6 }, (_, i) => {
    const pass = newPass();
    const to = i === 3 ? "refused@example.test" : `m${i}@example.test`;
    return pool
      .send({ from: "hello@atelier.test", to: [to], raw: message(i), pass })
      .then(
        () => "ok",
        (err: { responseCode?: number }) => `refused ${err.responseCode}`,
      )
      .finally(() => settlePass(window, pass));
  });
  assert.deepEqual(await Promise.all(sends), ["ok", "ok", "ok", "refused 550", "ok", "ok"]);
  assert.equal(window.taken, 0, "every place given back");
  const byTo = new Map(received.map((r) => [r.to[0], r.data]));
  assert.equal(received.length, 5);
  for (const i of [0, 1, 2, 4, 5]) assert.equal(byTo.get(`m${i}@example.test`), message(i).toString());
});

test("a server that cannot be reached fails the waiting messages instead of keeping them", async () => {
  const closed = net.createServer();
  const deadPort = await new Promise<number>((resolve) =>
    closed.listen(0, "127.0.0.1", () => resolve((closed.address() as AddressInfo).port)),
  );
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const pool = new RawPool(`smtp://127.0.0.1:${deadPort}`, {
    size: 2,
    ratePerSecond: 0,
    window: new AcceptWindow(2),
  });
  pools.push(pool);
  const outcomes = await Promise.allSettled(
    [0, 1, 2].map((i) => pool.send({ from: "hello@atelier.test", to: [`m${i}@example.test`], raw: message(i) })),
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["rejected", "rejected", "rejected"],
  );
});
