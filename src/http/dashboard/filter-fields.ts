// The labelled fields of the console's filter forms (payments, audit log).
import { html, type SafeHtml } from "../pages/html.js";

export function select(name: string, label: string, value: string | undefined, options: string[]): SafeHtml {
  return html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">any</option>${options.map(
    (o) => html`<option value="${o}"${value === o ? html` selected` : ""}>${o}</option>`,
  )}</select></div>`;
}

export function input(name: string, label: string, value: string | undefined, type = "text", placeholder = ""): SafeHtml {
  return html`<div><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${value ?? ""}" placeholder="${placeholder}"></div>`;
}
