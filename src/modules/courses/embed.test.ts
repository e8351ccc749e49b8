import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cspWithFrame, parseEmbed } from "./embed.ts";

describe("video embeds", () => {
  it("turns YouTube, Vimeo and PeerTube page URLs into their players", () => {
    for (const u of [
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
      "https://youtu.be/dQw4w9WgXcQ",
      "https://m.youtube.com/shorts/dQw4w9WgXcQ",
      "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ])
      assert.equal(parseEmbed(u)?.src, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", u);
    assert.equal(parseEmbed("https://vimeo.com/76979871")?.src, "https://player.vimeo.com/video/76979871");
    assert.equal(
      parseEmbed("https://player.vimeo.com/video/76979871?h=x")?.src,
      "https://player.vimeo.com/video/76979871",
    );
    assert.deepEqual(parseEmbed("https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d"), {
      src: "https://framatube.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
      origin: "https://framatube.org",
      provider: "peertube",
    });
    assert.equal(
      parseEmbed("https://tube.example.fr/videos/watch/kkGMgK9ZtnKfYAgnEtQxbv")?.src,
      "https://tube.example.fr/videos/embed/kkGMgK9ZtnKfYAgnEtQxbv",
    );
  });

  it("refuses everything else: other hosts, scripts, odd ids, credentials, ports", () => {
    for (const u of [
      "",
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "https://evil.example/watch?v=dQw4w9WgXcQ",
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
      "https://www.youtube.com/watch?v=short",
      "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
      "https://vimeo.com/channels/staffpicks",
      "https://user:pw@vimeo.com/76979871",
      "https://framatube.org:8443/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
      "https://framatube.org/w/../../admin",
      "https://localhost/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
      "ftp://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
    ])
      assert.equal(parseEmbed(u), null, u);
  });

  it("lets the lesson page frame that one origin and nothing else", () => {
    const csp = cspWithFrame("https://player.vimeo.com");
    assert.match(csp, /frame-src https:\/\/player\.vimeo\.com;/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /frame-ancestors 'none'/);
  });
});
