// The settings page's forms: a labelled field that shows a refusal next to itself, and which form a
// refusal belongs to (the page has several; only the one sent back shows what was typed and the error).
import { html, raw, type SafeHtml } from "../pages/html.js";
import { formText } from "./portal-section.js";

/** A form sent back: which one (`trading`, `risk` or a store id), what was typed, and the API's error. */
export interface Sent {
  form: string;
  values: Record<string, string>;
  error: { field: string; message: string };
}

/** The form field an API error names: `trading.fiatCurrencies.0` and `stores.0.kycValidityDays` are fiatCurrencies and kycValidityDays. */
const fieldNamed = (field: string) => field.replace(/^(trading\.|stores\.\d+\.)/, "").split(".")[0] ?? "";

/** A labelled input; with `error`, the message follows it and the input points at it (aria-describedby). */
export function field(id: string, name: string, label: string, value: string | number | null, error: string | null, extra: SafeHtml | string = ""): SafeHtml {
  const described = error ? raw(` aria-describedby="${id}-error" aria-invalid="true"`) : "";
  return html`<div><label for="${id}">${label}</label><input id="${id}" name="${name}" value="${value ?? ""}"${extra}${described}>${error ? html`<p class="error meta" id="${id}-error">${error}</p>` : ""}</div>`;
}

/** The form-level part of a refusal: an alert naming the field, or the message when no field of this form has it. */
export function formError(sent: Sent | undefined, form: string, names: readonly string[]): { at: (name: string) => string | null; summary: SafeHtml | "" } {
  if (!sent || sent.form !== form) return { at: () => null, summary: "" };
  const name = fieldNamed(sent.error.field);
  const shown = names.includes(name);
  return {
    at: (n) => (shown && n === name ? sent.error.message : null),
    summary: html`<p class="error" role="alert">Not saved: ${shown ? `see ${name}` : sent.error.message}.</p>`,
  };
}

/**
 * A number field's text as the API's JSON would carry it; a value that is not what the field takes goes
 * on as typed, for the API's check to refuse it by name.
 */
export const formNumber = (v: string): unknown => (/^\d{1,15}$/.test(v) ? Number(v) : v);

/**
 * A form's fields as the API body's members, `name` giving each one's input name. `given` sends a
 * field only when typed in (an emptied one keeps the current value); `carried` whenever the body has
 * it, empty included (it clears what empty clears). A field the body does not carry is left as it is.
 */
export function formFields(b: unknown, name: (k: string) => string) {
  const text = (k: string) => formText(b, name(k));
  return {
    given: (k: string, value: (text: string) => unknown) => (text(k) === "" ? {} : { [k]: value(text(k)) }),
    carried: (k: string, value: (text: string) => unknown) => ((b as Record<string, unknown> | undefined)?.[name(k)] !== undefined ? { [k]: value(text(k)) } : {}),
  };
}
