import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { AcceptWindow, gatedStream, newPass, settlePass } from "./window.ts";

/*
 * The acceptance window bounds what a kill -9 can send twice: a message's bytes (hence the final
 * dot the server accepts on) only flow once it holds a place, and the place is only given back
 * once its outcome is settled.
 */

function message(text: string): Readable {
  const p = new PassThrough();
  p.end(text);
  return p;
}

async function read(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += String(chunk);
  return out;
}

const turn = () => new Promise((r) => setImmediate(r));

test("a gated message flows only once it holds a place; places never exceed the window", async () => {
  const window = new AcceptWindow(2);
  const passes = [newPass(), newPass(), newPass()];
  const streams = passes.map((p, i) => gatedStream(message(`message ${i}\r\n`), window, p));
  // Nobody reads yet (the pool has not reached DATA): no place is taken, whatever was composed.
  await turn();
  assert.equal(window.taken, 0);
  assert.deepEqual(
    passes.map((p) => p.held),
    [false, false, false],
  );

  const reads = streams.map((s) => read(s));
  await turn();
  assert.equal(window.taken, 2);
  assert.deepEqual(
    passes.map((p) => p.held),
    [true, true, false],
  );
  assert.equal(await reads[0], "message 0\r\n");
  assert.equal(await reads[1], "message 1\r\n");
  // The third is still waiting: its bytes have not gone anywhere.
  let third = false;
  void reads[2]!.then(() => (third = true));
  await turn();
  assert.equal(third, false);

  settlePass(window, passes[0]!);
  assert.equal(await reads[2], "message 2\r\n");
  assert.equal(passes[2]!.held, true);
  settlePass(window, passes[1]!);
  settlePass(window, passes[2]!);
  assert.equal(window.taken, 0);
});

test("a message settled before its place came (refused envelope, dropped connection) gives the place back", async () => {
  const window = new AcceptWindow(1);
  const first = newPass();
  const late = newPass();
  const a = gatedStream(message("a\r\n"), window, first);
  const b = gatedStream(message("b\r\n"), window, late);
  const ra = read(a);
  b.resume();
  await turn();
  assert.equal(window.taken, 1);
  assert.equal(late.held, false);
  settlePass(window, late);
  settlePass(window, first);
  assert.equal(await ra, "a\r\n");
  await turn();
  assert.equal(window.taken, 0, "the late grant went straight back");
  assert.equal(late.held, false);

  // A stream destroyed while waiting gives its grant back too.
  const c = newPass();
  const holder = newPass();
  const h = gatedStream(message("h\r\n"), window, holder);
  const rh = read(h);
  const s = gatedStream(message("c\r\n"), window, c);
  s.resume();
  await turn();
  s.destroy();
  settlePass(window, holder);
  assert.equal(await rh, "h\r\n");
  await turn();
  assert.equal(window.taken, 0);
  assert.equal(c.held, false);
});
