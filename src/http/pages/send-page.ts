// Sends server-rendered pages. Payer pages (/pay, /kyc, /3ds) may be framed only by the origins the
// operator allows (RAMPART_FRAME_ANCESTORS; none by default: a framing site could overlay them and
// steer the payer's clicks); pages of a signed-in area (dashboard, trader cabinet) never are. Neither
// is ever cached.
import type { FastifyReply } from "fastify";
import { html, type SafeHtml } from "./html.js";
import type { Lang } from "./i18n.js";
import { page, pageCsp } from "./layout.js";

const PRIVATE_PAGE_CSP = pageCsp([]);

/** Headers of a payer-facing page: framed only by `frameAncestors`, never cached, no referrer leaks its token. */
export function payerPageHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    "content-security-policy": pageCsp(frameAncestors),
    // For browsers without CSP frame-ancestors; it cannot name origins, so only when none may frame.
    ...(frameAncestors.length === 0 ? { "x-frame-options": "DENY" } : {}),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  };
}

/** A payer-facing hosted page with `headers` from payerPageHeaders. */
export function sendPublicPage(reply: FastifyReply, headers: Record<string, string>, status: number, title: string, body: SafeHtml, script?: SafeHtml, lang?: Lang) {
  return reply
    .code(status)
    .headers(headers)
    .type("text/html; charset=utf-8")
    .send(page(title, body, { ...(script ? { script } : {}), ...(lang ? { lang } : {}) }));
}

export function sendPrivatePage(reply: FastifyReply, status: number, title: string, body: SafeHtml, opts: { wide?: boolean; lang?: Lang; script?: SafeHtml } = {}) {
  return reply
    .code(status)
    .header("content-security-policy", PRIVATE_PAGE_CSP)
    .header("x-frame-options", "DENY")
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(page(title, body, opts));
}

/**
 * A notice's length, in the redirect's URL and on the page: a refusal's message can echo the input (an
 * unknown 50,000-character network), and a Location header that long overflows clients and proxies.
 */
const MAX_NOTICE = 300;

/** A one-line notice carried across a POST → redirect → GET (`?ok=` / `?error=`), escaped on render. */
export function flash(query: Record<string, string | undefined>): SafeHtml | string {
  return query.error ? htmlNotice("error", query.error) : query.ok ? htmlNotice("ok", query.ok) : "";
}

function htmlNotice(kind: "error" | "ok", text: string): SafeHtml {
  return html`<p class="card ${kind === "error" ? "error" : "notice"}" role="status">${text.slice(0, MAX_NOTICE)}</p>`;
}

/** Where a form action sends the browser back to, with a notice. */
export function backTo(path: string, notice: { ok?: string; error?: string }): string {
  const q = new URLSearchParams();
  if (notice.ok) q.set("ok", notice.ok.slice(0, MAX_NOTICE));
  if (notice.error) q.set("error", notice.error.slice(0, MAX_NOTICE));
  return `${path}${path.includes("?") ? "&" : "?"}${q.toString()}`;
}

/** A stored file (a receipt) as a download: never rendered inline, never sniffed, never cached. */
export function sendDownload(reply: FastifyReply, file: { data: Buffer; contentType: string }, basename: string) {
  const ext = file.contentType === "application/pdf" ? "pdf" : file.contentType === "image/png" ? "png" : file.contentType === "image/jpeg" ? "jpg" : "bin";
  return reply
    .header("content-type", file.contentType)
    .header("content-disposition", `attachment; filename="${basename.replace(/[^A-Za-z0-9_-]/g, "")}.${ext}"`)
    .header("x-content-type-options", "nosniff")
    .header("cache-control", "no-store")
    .send(file.data);
}
