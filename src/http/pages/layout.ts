// The shared page shell for hosted pages (payer, KYC, 3-D Secure) and the dashboards: phone-first,
// self-contained CSS, no third-party assets, strict CSP set by the caller's reply.
import { html, raw, type SafeHtml } from "./html.js";

const CSS = raw(`
:root{--fg:#1b1f24;--muted:#5b6570;--bg:#f5f7fa;--card:#fff;--accent:#2457d6;--ok:#116329;--bad:#a61b1b;--warn:#7a5200;--line:#dde3ea}
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:560px;margin:0 auto;padding:16px}main.wide{max-width:1100px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px;margin:12px 0}
h1{font-size:1.3rem;margin:.2rem 0 .6rem}h2{font-size:1.05rem;margin:.2rem 0 .5rem}
.muted{color:var(--muted)}.big{font-size:1.6rem;font-weight:650}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
.row{display:flex;justify-content:space-between;gap:8px;align-items:center;padding:6px 0;border-bottom:1px solid var(--line)}.row:last-child{border-bottom:0}
button,.btn{font:inherit;border:0;border-radius:8px;padding:10px 14px;background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.btn.secondary{background:#e8edf5;color:var(--fg)}button.danger{background:var(--bad)}button:disabled{opacity:.5}
input,select,textarea{font:inherit;width:100%;padding:9px;border:1px solid var(--line);border-radius:8px;background:#fff}
label{display:block;margin:8px 0 4px;font-weight:550}
/* a box sits beside its label, never stretched to the text inputs' full width */input[type=checkbox],input[type=radio]{width:auto}
.status{display:inline-block;padding:2px 10px;border-radius:999px;background:#e8edf5;font-weight:600}
.status.ok{background:#dcf3e3;color:var(--ok)}.status.bad{background:#fde2e2;color:var(--bad)}.status.warn{background:#fff1cc;color:var(--warn)}
table{width:100%;border-collapse:collapse;font-size:.92rem}th,td{text-align:left;padding:6px;border-bottom:1px solid var(--line)}
.error{color:var(--bad)}.notice{color:var(--ok)}nav a{margin-right:12px;display:inline-block;padding:4px 0}
.scroll{overflow-x:auto;position:relative}form.inline{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap;margin:2px 0}form.inline input{width:auto;max-width:9rem}
button.small,.btn.small{padding:6px 10px;font-size:.9rem}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:0 12px}.filters .actions{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-top:8px}
.copy-row>div{min-width:0}.copy-row .mono{overflow-wrap:anywhere;font-size:1.25rem}.copy-row button{flex-shrink:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{padding:6px 0;border-bottom:1px solid var(--line)}ul.plain li:last-child{border-bottom:0}
h3{font-size:1rem;margin:.8rem 0 .3rem}ol{padding-left:1.3rem;margin:.3rem 0}p.meta{margin:.2rem 0}p.back{text-align:center}
.receipt img{display:block;max-width:100%;max-height:320px;margin:6px 0;border:1px solid var(--line);border-radius:8px}.wrap,.small-id{overflow-wrap:anywhere;min-width:0}.small-id{font-size:.8rem}
details.confirm summary{list-style:none;margin:10px 0}details.confirm summary::-webkit-details-marker{display:none}details.confirm[open] summary{background:#e8edf5;color:var(--fg)}
header .actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}nav.sections{display:flex;flex-wrap:wrap;gap:4px 12px}
.langs{display:flex;flex-wrap:wrap;gap:4px 12px;justify-content:flex-end;font-size:.9rem}.langs a{color:var(--accent);padding:4px 2px}.langs a[aria-current]{color:var(--fg);font-weight:650;text-decoration:none}
`);

/** `lang` is the page's language (i18n.ts picks it); English when the page is not translated yet. */
export function page(title: string, body: SafeHtml, opts: { wide?: boolean; script?: SafeHtml; lang?: string } = {}): string {
  return html`<!doctype html>
<html lang="${opts.lang ?? "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<main class="${opts.wide ? "wide" : ""}">${body}</main>
${opts.script ? html`<script>${opts.script}</script>` : ""}
</body>
</html>`.value;
}

/**
 * No third-party anything: scripts and styles are inline, everything else comes from this origin.
 * Framing: only by `frameAncestors` (origins), and by no site when there are none.
 */
export function pageCsp(frameAncestors: readonly string[]): string {
  return (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    `connect-src 'self'; form-action 'self' http: https:; frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(" ") : "'none'"}; base-uri 'none'`
  );
}
