// What a request may carry into PostgreSQL (core/shared/instant.ts, core/shared/lone-surrogates.ts):
// dates in the years 0001–9999 that are real days, and text without lone UTF-16 surrogates. The HTTP
// side is test/http/bad-input.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { realInstant, storableDate } from "../../src/core/shared/instant.js";
import { hasLoneSurrogate, withoutLoneSurrogates } from "../../src/core/shared/lone-surrogates.js";

test("storable dates are the years 0001 to 9999, in UTC", () => {
  for (const ok of ["0001-01-01T00:00:00Z", "2026-12-07T12:00:00Z", "9999-12-31T23:59:59.999Z"]) assert.ok(storableDate(new Date(ok)), ok);
  for (const bad of ["0000-12-31T23:59:59.999Z", "+010000-01-01T00:00:00Z", "-000001-01-01T00:00:00Z", "9999-12-31T20:00:00-05:00", "not a date"]) {
    assert.ok(!storableDate(new Date(bad)), bad);
  }
});

test("a cursor instant has its exact form, a real day and a storable year", () => {
  assert.ok(realInstant("2026-02-28T10:11:12.123456Z", 6));
  assert.ok(realInstant("2026-02-28T10:11:12.123Z", 3));
  assert.ok(!realInstant("2026-02-28T10:11:12.123Z", 6), "three digits where six are expected");
  assert.ok(!realInstant("2026-02-30T00:00:00.000Z", 3), "Date rolls 30 February over into March");
  assert.ok(!realInstant("0000-01-01T00:00:00.000Z", 3), "PostgreSQL has no year 0");
  assert.ok(!realInstant(20260228, 3));
});

test("only a surrogate that is not half of a pair is lone, and it becomes U+FFFD", () => {
  assert.ok(!hasLoneSurrogate("plain \u{1f600} text"));
  for (const s of ["\ud800", "a\udc00", "\udfff\ud800", `${"\u{1f600}".slice(0, 1)}!`]) assert.ok(hasLoneSurrogate(s), JSON.stringify(s));
  assert.equal(withoutLoneSurrogates("a\ud800b\u{1f600}\udc00"), "a\ufffdb\u{1f600}\ufffd");
});
