// A local S3-compatible server for tests (s3rver), in its own process so its memory never counts in
// the test's measurements. Prints {"port":N} once listening; data in the directory given as argv[2].
import S3rver from "s3rver";
const [, , directory, bucket] = process.argv;
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + "\n"),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));
