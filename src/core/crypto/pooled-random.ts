// Random bytes for identifiers made on a hot path, such as a payment intent's reference. Each
// synchronous randomBytes(n) is a call into OpenSSL whatever n is: ~2 µs of CPU on an idle machine
// here, and 18 µs a create in a profile of bench/intent.ts at 32 connections (issue 16). Drawing 4 KiB
// at a time and handing out copies of its slices is what Node does for randomUUID. The bytes come from
// the same generator; the pool lives in this process's memory, so keys and tokens that must stay
// secret keep drawing their own with randomBytes.
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` (at most 4,096) random bytes of their own, drawn from a pool refilled from the CSPRNG. */
export function pooledRandomBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 1 || n > POOL_BYTES) throw new RangeError(`pooledRandomBytes draws 1 to ${POOL_BYTES} bytes, not ${n}`);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  // A copy: the caller keeps its bytes after the pool is refilled.
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}
