// The baseline: a bare node:http server sending pre-recorded bytes and headers from memory.
import fs from "node:fs";
import http from "node:http";

const { status, headers, bodyBase64, port } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const body = Buffer.from(bodyBase64, "base64");
http
  .createServer((req, res) => {
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  })
  .listen(port, "127.0.0.1", () => console.log(`bare server on ${port}`));
