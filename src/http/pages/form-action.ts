// POST → redirect → GET for the signed-in pages: a form action runs one use case and sends the browser
// back with a one-line notice. An AppError (not found, illegal transition, bad amount) becomes the
// notice, unless the area answers refusals its own way (`refuse`: the portal's 404 page); anything
// else is a real failure and goes to the error handler.
import type { FastifyReply } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { backTo } from "./send-page.js";

/** How a refused action answers: `err` is what the use case threw. */
type Refusal = (reply: FastifyReply, back: string, err: unknown) => FastifyReply | Promise<FastifyReply>;

/** Back to `back` with the refusal's message as the notice; not an AppError under 500: rethrown. */
export function refused(reply: FastifyReply, back: string, err: unknown) {
  if (err instanceof AppError && err.status < 500) return reply.redirect(backTo(back, { error: err.message }), 303);
  throw err;
}

export async function runFormAction(reply: FastifyReply, back: string, action: () => Promise<string>, refuse: Refusal = refused) {
  let ok: string;
  try {
    ok = await action();
  } catch (err) {
    return refuse(reply, back, err);
  }
  return reply.redirect(backTo(back, { ok }), 303);
}
