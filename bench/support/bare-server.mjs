// The baseline: a bare node:http server sending pre-recorded bytes and headers from memory, by path
// (the harness's unique `u=` parameter, then the query string, and cookies are ignored, so it answers
// the same sequence the app gets; a recorded path may carry its own query, e.g. ?days=31).
import fs from "node:fs";
import http from "node:http";

const { pages, port } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const byPath = new Map(
  Object.entries(pages).map(([p, r]) => [
    p,
    { status: r.status, headers: r.headers, body: Buffer.from(r.bodyBase64, "base64") },
  ]),
);
http
  .createServer((req, res) => {
    const q = req.url.indexOf("?");
    const page = byPath.get(req.url.replace(/[?&]u=\d+$/, "")) ?? byPath.get(q < 0 ? req.url : req.url.slice(0, q));
    if (!page) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(page.status, page.headers);
    res.end(req.method === "HEAD" ? undefined : page.body);
  })
  .listen(port, "127.0.0.1", () => console.log(`bare server on ${port}`));
