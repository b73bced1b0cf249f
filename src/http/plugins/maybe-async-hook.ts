// A Fastify hook from a step that finishes at once or later (core/shared/maybe-async.ts): in Fastify's
// callback form, so that a step answered from the caches (a cached key and settings) finishes the hook
// without a promise, as an async hook could not.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { MaybeAsync } from "../../core/shared/maybe-async.js";

export function maybeAsyncHook(step: (request: FastifyRequest) => MaybeAsync<void>) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    let finished: MaybeAsync<void>;
    try {
      finished = step(request);
    } catch (err) {
      return done(err as Error);
    }
    if (finished instanceof Promise) finished.then(() => done(), done);
    else done();
  };
}
