// How the portal answers a refused form action. A POST naming another merchant's object (or none) gets
// the 404 page an item page gets, never a redirect with a notice (which would tell the object exists
// somewhere and differ from the GET); any other refusal goes back with its notice.
import type { FastifyReply } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { refused, runFormAction } from "../pages/form-action.js";
import { html } from "../pages/html.js";
import { sendAreaPage } from "../sign-in/sign-in-routes.js";

export const notFoundPage = (reply: FastifyReply, message = "No such page.") =>
  sendAreaPage(reply, 404, "Not found", html`<div class="card" id="refusal" data-code="not_found"><p class="error">${message}</p><p><a href="/merchant/overview">Back to the portal</a></p></div>`);

/** A refusal of a portal action: not found is the 404 page, the rest the notice on `back`. */
export function portalRefused(reply: FastifyReply, back: string, err: unknown) {
  if (err instanceof AppError && err.code === "not_found") return notFoundPage(reply, err.message);
  return refused(reply, back, err);
}

/** runFormAction for the portal: the same redirect with a notice, not found answered by portalRefused. */
export const portalAction = (reply: FastifyReply, back: string, action: () => Promise<string>) => runFormAction(reply, back, action, portalRefused);
