// POST → redirect → GET for the signed-in pages: a form action runs one use case and sends the browser
// back with a one-line notice. An AppError (not found, illegal transition, bad amount) becomes the
// notice; anything else is a real failure and goes to the error handler.
import type { FastifyReply } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { backTo } from "./send-page.js";

export async function runFormAction(reply: FastifyReply, back: string, action: () => Promise<string>) {
  try {
    const ok = await action();
    return reply.redirect(backTo(back, { ok }), 303);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return reply.redirect(backTo(back, { error: err.message }), 303);
    throw err;
  }
}
