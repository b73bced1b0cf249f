// Time-ordered ids: ULID-style prefixed ids and RFC 9562 UUIDv7. Time comes from the Clock so that
// ids stay ordered with the test clock too.
import { randomBytes } from "node:crypto";
import type { Clock, Ids } from "../../app/ports.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(chars: number): string {
  const bytes = randomBytes(chars);
  let out = "";
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

export function createIds(clock: Clock): Ids {
  return {
    prefixed(prefix: string): string {
      return `${prefix}_${encodeTime(clock.now().getTime())}${encodeRandom(16)}`.toLowerCase();
    },
    uuid(): string {
      const b = randomBytes(16);
      const ms = BigInt(clock.now().getTime());
      for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
      b[6] = (b[6]! & 0x0f) | 0x70; // version 7
      b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
      const h = b.toString("hex");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}
