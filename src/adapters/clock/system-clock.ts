import type { Clock } from "../../app/ports.js";

export const systemClock: Clock = { now: () => new Date() };
