// A Fastify hook from a step that finishes at once or later (core/shared/maybe-async.ts): in Fastify's
// callback form, so that a step answered from the caches (a cached key and settings) finishes the hook
// without a promise, as an async hook could not.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { MaybeAsync } from "../../core/shared/maybe-async.js";

type Step = (request: FastifyRequest) => MaybeAsync<void>;

function runStep(step: Step, request: FastifyRequest, done: (err?: Error) => void): void {
  let finished: MaybeAsync<void>;
  try {
    finished = step(request);
  } catch (err) {
    return done(err as Error);
  }
  if (finished instanceof Promise) finished.then(() => done(), done);
  else done();
}

/** For the hooks whose callback comes third (onRequest, preValidation, preHandler). */
export function maybeAsyncHook(step: Step) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => runStep(step, request, done);
}

/** For preParsing, whose callback comes after the body stream; the stream goes on unchanged. */
export function maybeAsyncPreParsingHook(step: Step) {
  return (request: FastifyRequest, _reply: FastifyReply, _payload: unknown, done: (err: Error | null) => void): void => runStep(step, request, (err) => done(err ?? null));
}
