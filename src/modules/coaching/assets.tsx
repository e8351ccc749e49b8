import type { Hono } from "hono";
import { createHash } from "node:crypto";
import type { AppEnv } from "../../platform/http/context.ts";

/**
 * The coaching pages' own small stylesheet and script (CSP: 'self' only, no
 * inline code). The script detects the browser's time zone when the page was
 * opened without one, and submits the zone picker on change.
 */
const css = `
.coaching-page h2{margin-top:1.6rem}
.coaching-zone{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}
.coaching-zone select{max-width:100%;min-width:0;flex:1 1 12rem}
.coaching-zone-list{columns:14rem;padding:0;list-style:none;margin:.4rem 0 1rem}
.coaching-zone-list li{break-inside:avoid;padding:.15rem 0}
.coaching-days{display:grid;gap:1rem;margin-top:1rem}
.coaching-day h3{margin:0 0 .4rem;font-size:1rem}
.coaching-day h3::first-letter{text-transform:uppercase}
.coaching-times{display:flex;flex-wrap:wrap;gap:.4rem}
.coaching-times form{margin:0}
.coaching-time{display:inline-block;min-width:4.5rem;padding:.55rem .7rem;border:1px solid #c9bfb3;border-radius:8px;background:#fff;color:#222;font:inherit;font-weight:600;font-variant-numeric:tabular-nums;cursor:pointer;text-align:center}
.coaching-time:hover,.coaching-time:focus-visible{background:var(--accent,#b4532a);color:#fff;border-color:transparent}
.coaching-time.off{opacity:.6;cursor:default}
.coaching-sessions{display:grid;gap:.8rem;padding:0;list-style:none}
.coaching-session{padding:1rem;border:1px solid #ddd;border-radius:10px}
.coaching-session .actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.6rem}
.coaching-summary{white-space:pre-wrap}
.coaching-feed{word-break:break-all}
`;

const js = `(function(){
var f=document.querySelector("[data-coaching-zone]");if(!f)return;
var s=f.querySelector("select");
s&&s.addEventListener("change",function(){f.submit()});
var u=new URL(location.href);
if(!u.searchParams.get("tz")&&document.querySelector("[data-coaching-detect]")){
try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;if(z){u.searchParams.set("tz",z);location.replace(u.toString())}}catch(e){}
}})();`;

const v = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 10);
const cssPath = `/coaching/assets/coaching.${v(css)}.css`;
const jsPath = `/coaching/assets/coaching.${v(js)}.js`;

export function coachingHead() {
  return (
    <>
      <link rel="stylesheet" href={cssPath} />
      <script src={jsPath} defer></script>
    </>
  );
}

export function assetRoutes(app: Hono<AppEnv>): void {
  const immutable = "public, max-age=31536000, immutable";
  app.get(cssPath, (c) => c.body(css, 200, { "content-type": "text/css; charset=utf-8", "cache-control": immutable }));
  app.get(jsPath, (c) =>
    c.body(js, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": immutable }),
  );
}
