// The pooled random bytes behind hot-path identifiers (core/crypto/pooled-random.ts): each draw is its
// own bytes, also across the pool's refills, and stays as it was after the pool is refilled.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pooledRandomBytes } from "../../src/core/crypto/pooled-random.js";

test("draws across several refills of the pool are distinct and keep their bytes", () => {
  // 6-byte draws, as a payment reference takes: 3,000 of them fill the 4 KiB pool (682 draws) five times.
  const draws = Array.from({ length: 3000 }, () => pooledRandomBytes(6));
  const copies = draws.map((d) => d.toString("hex"));
  assert.ok(draws.every((d) => d.length === 6));
  assert.equal(new Set(copies).size, draws.length, "no two draws share their bytes");
  pooledRandomBytes(4096); // one more refill: the earlier draws must not change with it
  assert.deepEqual(
    draws.map((d) => d.toString("hex")),
    copies,
  );
});

test("a draw outside 1 to 4,096 bytes is refused", () => {
  for (const n of [0, -1, 1.5, 4097]) assert.throws(() => pooledRandomBytes(n), RangeError);
  assert.equal(pooledRandomBytes(4096).length, 4096);
});
