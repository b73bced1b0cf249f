// The card access token's check remembers tokens that verified (src/app/card/tokens.ts), so a polling
// client's repeated token skips the HMAC. What it remembers must never widen what passes: a token
// changed by one character, a token under another server secret and an expired token stay refused,
// whether or not the genuine token was checked before.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { issueAccessToken, verifyAccessToken } from "../../src/app/card/tokens.js";
import { AppError } from "../../src/core/shared/errors.js";
import { TestClock } from "../support/clock.js";

let n = 0;
function depsWith(secretKey: string, clock = new TestClock()): Deps {
  return { config: { secretKey }, clock, ids: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}` } } as unknown as Deps;
}

const who = { customerId: "c1", sessionId: "s1", merchantId: "m1" };
const refused = (message: RegExp) => (e: unknown) => e instanceof AppError && e.code === "invalid_token" && message.test(e.message);

test("a token checked before is accepted again; one character changed is refused, before and after", () => {
  const deps = depsWith("secret-a-0123456789abcdef0123456789");
  const { token } = issueAccessToken(deps, who);
  const i = token.length - 10; // inside the signature (its last character carries unused bits)
  const forged = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
  assert.throws(() => verifyAccessToken(deps, forged), refused(/signature/));
  assert.equal(verifyAccessToken(deps, token).sid, "s1");
  assert.equal(verifyAccessToken(deps, token).sid, "s1");
  assert.throws(() => verifyAccessToken(deps, forged), refused(/signature/));
});

test("a token remembered under one server secret is refused under another", () => {
  const a = depsWith("secret-a-0123456789abcdef0123456789");
  const b = depsWith("secret-b-0123456789abcdef0123456789");
  const { token } = issueAccessToken(a, who);
  assert.equal(verifyAccessToken(a, token).sub, "c1");
  assert.throws(() => verifyAccessToken(b, token), refused(/signature/));
  assert.equal(verifyAccessToken(a, token).sub, "c1");
});

test("a remembered token still expires", () => {
  const clock = new TestClock();
  const deps = depsWith("secret-a-0123456789abcdef0123456789", clock);
  const { token } = issueAccessToken(deps, who);
  assert.equal(verifyAccessToken(deps, token).sub, "c1");
  clock.advance(24 * 3600_000);
  assert.throws(() => verifyAccessToken(deps, token), refused(/expired/));
});
