// Time-ordered ids: ULID-style prefixed ids and RFC 9562 UUIDv7. Time comes from the Clock so that
// ids stay ordered with the test clock too.
import { randomFillSync } from "node:crypto";
import type { Clock, Ids } from "../../app/ports.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Random bytes are drawn from the CSPRNG 4 KiB at a time and handed out in slices (as Node's own
// randomUUID does): on this VM one randomBytes call costs ~38 µs, more than the rest of a create's id
// (issue 16). Ids are not secrets; each byte is still handed out once.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function pooledRandomBytes(n: number): Buffer {
  if (poolOffset + n > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const out = Buffer.from(POOL.subarray(poolOffset, poolOffset + n));
  poolOffset += n;
  return out;
}

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
  const bytes = pooledRandomBytes(chars);
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
      const b = pooledRandomBytes(16);
      // The 48-bit millisecond time, big-endian, in plain number arithmetic (exact below 2^53; BigInt
      // shifts cost a create more than the rest of its id, issue 16).
      let ms = clock.now().getTime();
      for (let i = 5; i >= 0; i--) {
        b[i] = ms % 256;
        ms = Math.floor(ms / 256);
      }
      b[6] = (b[6]! & 0x0f) | 0x70; // version 7
      b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
      const h = b.toString("hex");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}
