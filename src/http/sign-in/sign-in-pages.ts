// The sign-in pages of the operator console and the merchant portal (`base` /dashboard or /merchant):
// e-mail and password, then the TOTP code (or a recovery code), or at the first sign-in the TOTP
// enrolment with its QR code, and the recovery codes shown once.
import QRCode from "qrcode";
import { html, raw, type SafeHtml } from "../pages/html.js";

/** What differs between the two areas' pages. */
export interface SignInArea {
  base: "/dashboard" | "/merchant";
  /** The first page's heading. */
  title: string;
  /** Where a signed-in person lands, and what that link is called. */
  home: string;
  homeLabel: string;
  /** Below the first form: how a first account comes to be. */
  hint: SafeHtml;
}

export function passwordForm(area: SignInArea, error?: string): SafeHtml {
  return html`<div class="card"><h1>${area.title}</h1>
<form method="post" action="${area.base}/login">
<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required maxlength="254">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p><button type="submit">Continue</button></p></form>
<p class="muted">${area.hint}</p></div>`;
}

export function secondFactorForm(area: SignInArea, csrf: string, error?: string): SafeHtml {
  return html`<div class="card"><h1>Authentication code</h1>
<form method="post" action="${area.base}/login/second-factor"><input type="hidden" name="csrf" value="${csrf}">
<label for="code">The 6-digit code from your authenticator app, or a recovery code</label>
<input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="64">
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p><button type="submit">Sign in</button></p></form></div>`;
}

export async function enrolForm(area: SignInArea, csrf: string, enrolment: { secret: string; uri: string }, error?: string): Promise<SafeHtml> {
  // qrcode's SVG is built from the URI's bits only (paths and rects): no text of ours is echoed into it.
  const svg = await QRCode.toString(enrolment.uri, { type: "svg", margin: 1, width: 200 });
  return html`<div class="card"><h1>Set up your second factor</h1>
<p>Scan this code with an authenticator app (any TOTP app), then enter the 6-digit code it shows.</p>
<div role="img" aria-label="QR code of the authenticator secret" style="max-width:200px">${raw(svg)}</div>
<p>Or enter the secret by hand: <code id="totp-secret" class="mono">${enrolment.secret}</code></p>
<form method="post" action="${area.base}/login/enrol"><input type="hidden" name="csrf" value="${csrf}">
<label for="code">Code from the app</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="6">
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p><button type="submit">Confirm</button></p></form></div>`;
}

export function recoveryCodesPage(area: SignInArea, codes: string[]): SafeHtml {
  return html`<div class="card"><h1>Recovery codes</h1>
<p>Keep these codes somewhere safe: each signs you in once if you lose your authenticator. They are shown only now.</p>
<ul id="recovery-codes" class="mono">${codes.map((c) => html`<li>${c}</li>`)}</ul>
<p><a href="${area.home}">${area.homeLabel}</a></p></div>`;
}
