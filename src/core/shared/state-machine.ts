// One shape for every status machine (trading pay-ins, payment intents, KYC cases, card payments):
// a status list, and per action the statuses it may start from and the one it leads to. The words
// let an illegal transition say, in plain language, what was tried and where the object stands:
// "Cannot recalculate a pay-in that is in dispute".
import { IllegalTransitionError } from "./errors.js";

interface MachineSpec<S extends string | number, A extends string> {
  /** The object's name in error codes and logs, e.g. "pay-in". */
  entity: string;
  /** The object with its article, as the message names it, e.g. "a pay-in". */
  noun: string;
  statuses: readonly S[];
  /** Each status as it reads after "that is", e.g. dispute → "in dispute". */
  statusWords: Record<S, string>;
  /** Each action's verb phrase, read before the noun, e.g. resolve_recalculate → "recalculate". */
  transitions: Record<A, { from: readonly S[]; to: S; verb: string }>;
}

export interface Machine<S extends string | number, A extends string> extends MachineSpec<S, A> {
  isStatus(value: unknown): value is S;
  /** True when `action` may start from `current`. */
  can(current: S, action: A): boolean;
  /** The status `action` leads to, or IllegalTransitionError (rendered 409 naming the current status). */
  next(current: S, action: A): S;
}

export function defineMachine<const S extends string | number, const A extends string>(spec: MachineSpec<S, A>): Machine<S, A> {
  const isStatus = (value: unknown): value is S => (spec.statuses as readonly unknown[]).includes(value);
  const can = (current: S, action: A) => spec.transitions[action].from.includes(current);
  return {
    ...spec,
    isStatus,
    can,
    next(current, action) {
      if (!can(current, action)) {
        throw new IllegalTransitionError({
          entity: spec.entity,
          action,
          currentStatus: current,
          message: `Cannot ${spec.transitions[action].verb} ${spec.noun} that is ${spec.statusWords[current]}`,
        });
      }
      return spec.transitions[action].to;
    },
  };
}
