// A value that is there at once (a cache hit) or comes later (a database read). The hot reads that a
// per-process cache answers return one, so a hit costs no promise and no microtask turns. The trading
// GET read four cached values (key, settings, pay-in, requisite) through async functions; answered as
// values, its server CPU fell from 0.10-0.12 to 0.06-0.09 ms a request on a 2-core machine
// (bench/status-reads.ts, interleaved runs, issue 16). Callers that are async anyway simply await it.
export type MaybeAsync<T> = T | Promise<T>;

/** `f` applied to the value: at once when it is there, after it resolves otherwise. */
export function thenMaybe<T, U>(v: MaybeAsync<T>, f: (t: T) => MaybeAsync<U>): MaybeAsync<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
