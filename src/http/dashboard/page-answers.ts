// Console actions that answer with a page rather than a redirect: a secret shown once (a new API key,
// an IPN secret) must not travel in a redirect's URL, so the POST's own answer shows it (no-store).
import { html, type SafeHtml } from "../pages/html.js";

/** A secret shown this once, with what it is for (the page is no-store, nothing keeps it). */
export function shownOnce(label: string, secret: string): SafeHtml {
  return html`<div class="card" id="shown-once"><h2>${label}</h2><p>Copy it now: the console will not show it again.</p>
<p><code class="mono wrap" id="secret-value">${secret}</code></p></div>`;
}

/** A refused action that answers with a page on success goes back with the notice, as runFormAction does. */
export { refused } from "../pages/form-action.js";
