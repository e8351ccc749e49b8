import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { S3Config } from "../../src/platform/config.ts";

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The environment an Atelier needs to use this bucket (STORAGE_URL and S3_*). */
  env(prefix?: string): Record<string, string>;
  config(prefix?: string): S3Config;
  stop(): Promise<void>;
}

/**
 * A local S3-compatible server (s3rver) on a random port, with one empty
 * bucket and its data in a temp dir, in a child process; the official SDK
 * talks to it as it would to AWS (path-style addressing).
 */
export async function startTestS3(bucket = "atelier-test"): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-s3-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(import.meta.dirname, "s3rver-child.mjs"), dir, bucket],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: (prefix = "") => ({
      STORAGE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ""}`,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "1",
    }),
    config: (prefix = "") => ({
      bucket,
      prefix: prefix ? `${prefix}/` : "",
      endpoint,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    }),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
