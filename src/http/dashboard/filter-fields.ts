// The console's filtered lists (payments, audit log): their labelled filter fields, the filter read from
// the query string, and the results card with its count, CSV link and cursor link to the next page.
import { AppError } from "../../core/shared/errors.js";
import { html, type SafeHtml } from "../pages/html.js";

type Filter<K extends string> = Partial<Record<K | "cursor", string>>;

/** A query field's value: a repeated field (?a=1&a=2) arrives as an array and counts once, by its first value. */
const firstOf = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** A page's query string as its sections read it: one string per field (a repeated one was a 500 where a section called a string method on it). */
export function pageQuery(raw: unknown): Record<string, string | undefined> {
  const q: Record<string, string | undefined> = Object.create(null);
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const first = firstOf(v);
    if (typeof first === "string") q[k] = first;
  }
  return q;
}

/** The filter from a page's query string: one string per field (a repeated field counts once), at most `max` characters. */
export function filterOf<K extends string>(raw: Record<string, unknown>, fields: readonly K[], max: number): Filter<K> {
  const q: Filter<K> = {};
  for (const k of [...fields, "cursor" as const]) {
    const v = firstOf(raw[k]);
    if (typeof v === "string" && v !== "") q[k] = v.slice(0, max);
  }
  return q;
}

/**
 * The results card of a filtered list at `base`: how many are shown, the CSV download of the whole
 * filtered set, the table and the next page's link (the filter without the cursor, plus the next cursor).
 * A filter the reader refuses (a 4xx AppError: a bad date, an unknown status) is shown as the error.
 */
export async function filteredPage<K extends string, T>(
  base: string,
  list: { fields: readonly K[]; query: Filter<K>; countId: string },
  read: () => Promise<{ items: T[]; nextCursor: string | null }>,
  table: (items: T[]) => SafeHtml,
): Promise<SafeHtml> {
  const { fields, query, countId } = list;
  try {
    const page = await read();
    const filters = new URLSearchParams(fields.flatMap((k): [string, string][] => (query[k] ? [[k, query[k]!]] : []))).toString();
    const next = page.nextCursor ? `${base}?${filters ? `${filters}&` : ""}cursor=${encodeURIComponent(page.nextCursor)}` : null;
    return html`<div class="card"><p class="muted"><span id="${countId}">${page.items.length}</span> shown${query.cursor ? " (a later page)" : ""}, newest first.
<a id="export-csv" href="${base}/export.csv${filters ? `?${filters}` : ""}" download>Download the filtered set as CSV</a></p>
${table(page.items)}${next ? html`<p><a id="next-page" href="${next}">Next page</a></p>` : ""}</div>`;
  } catch (err) {
    if (!(err instanceof AppError && err.status < 500)) throw err;
    return html`<p class="card error" role="alert" id="filter-error">${err.message}</p>`;
  }
}

export function select(name: string, label: string, value: string | undefined, options: string[]): SafeHtml {
  return html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">any</option>${options.map(
    (o) => html`<option value="${o}"${value === o ? html` selected` : ""}>${o}</option>`,
  )}</select></div>`;
}

export function input(name: string, label: string, value: string | undefined, type = "text", placeholder = ""): SafeHtml {
  return html`<div><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${value ?? ""}" placeholder="${placeholder}"></div>`;
}
