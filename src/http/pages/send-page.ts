// Sends server-rendered pages. Payer pages (/pay, /kyc, /3ds) may be framed by the merchant's site;
// pages of a signed-in area (dashboard, trader cabinet) never are. Neither is ever cached.
import type { FastifyReply } from "fastify";
import { html, type SafeHtml } from "./html.js";
import { PAGE_CSP, page } from "./layout.js";

export const PRIVATE_PAGE_CSP = PAGE_CSP.replace("frame-ancestors *", "frame-ancestors 'none'");

/** A payer-facing hosted page: framable (merchants embed it), never cached, no referrer leaks its token. */
export function sendPublicPage(reply: FastifyReply, status: number, title: string, body: SafeHtml, script?: SafeHtml) {
  return reply
    .code(status)
    .header("content-security-policy", PAGE_CSP)
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .type("text/html; charset=utf-8")
    .send(page(title, body, script ? { script } : {}));
}

export function sendPrivatePage(reply: FastifyReply, status: number, title: string, body: SafeHtml, opts: { wide?: boolean } = {}) {
  return reply
    .code(status)
    .header("content-security-policy", PRIVATE_PAGE_CSP)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(page(title, body, opts));
}

/** A one-line notice carried across a POST → redirect → GET (`?ok=` / `?error=`), escaped on render. */
export function flash(query: Record<string, string | undefined>): SafeHtml | string {
  return query.error ? htmlNotice("error", query.error) : query.ok ? htmlNotice("ok", query.ok) : "";
}

function htmlNotice(kind: "error" | "ok", text: string): SafeHtml {
  return html`<p class="card ${kind === "error" ? "error" : "notice"}" role="status">${text.slice(0, 300)}</p>`;
}

/** Where a form action sends the browser back to, with a notice. */
export function backTo(path: string, notice: { ok?: string; error?: string }): string {
  const q = new URLSearchParams();
  if (notice.ok) q.set("ok", notice.ok);
  if (notice.error) q.set("error", notice.error);
  return `${path}?${q.toString()}`;
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
