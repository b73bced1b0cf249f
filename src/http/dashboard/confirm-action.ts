// The console's confirmation step for an action that moves money or cannot be undone: a button that
// first opens what will happen (changing nothing), and inside it the one POST form that does it, with
// the session's CSRF token, the action's own fields (an amount, a step-up code) and a "yes" button.
import { html, type SafeHtml } from "../pages/html.js";

interface ConfirmAction {
  /** The button that opens the step ("Approve"; an ellipsis is added). */
  label: string;
  /** Where the form posts. */
  action: string;
  csrf: string;
  /** What will happen, in the operator's words. */
  effect: SafeHtml | string;
  /** The form's own fields (hidden values, an amount, stepUpField), shown after the effect. */
  fields?: SafeHtml | string;
  /** The confirming button's text ("Yes, approve 10 USDT"). */
  yes: SafeHtml | string;
  /** The confirming button's name=value, when the route reads one (a dispute's outcome). */
  value?: { name: string; value: string };
  danger?: boolean;
  /** Extra classes of the opening button ("secondary", "small secondary"). */
  summaryClass?: string;
}

export function confirmAction(c: ConfirmAction): SafeHtml {
  const value = c.value ? html` name="${c.value.name}" value="${c.value.value}"` : "";
  return html`<details class="confirm"><summary class="btn${c.summaryClass ? ` ${c.summaryClass}` : ""}">${c.label}…</summary>
<form method="post" action="${c.action}"><input type="hidden" name="csrf" value="${c.csrf}">
<p>${c.effect}</p>${c.fields ?? ""}<p><button type="submit"${value}${c.danger ? html` class="danger"` : ""}>${c.yes}</button></p></form></details>`;
}
