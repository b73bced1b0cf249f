// The hosted pages' language over real HTTP: Accept-Language picks it, `?lang=` (the visible
// switch) overrides it and is remembered in a cookie that later requests carry, and the page says
// which language it is in (<html lang>).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";

const MISSING = "/pay/00000000-0000-4000-8000-000000000000";
let h: Harness;
before(async () => (h = await createHarness()));
after(async () => h.close());

test("Accept-Language chooses the page language; unknown languages fall back to English", async () => {
  const ru = await h.app.inject({ method: "GET", url: MISSING, headers: { "accept-language": "ru-RU,ru;q=0.9,en;q=0.8" } });
  assert.equal(ru.statusCode, 404);
  assert.match(ru.body, /<html lang="ru">/);
  assert.match(ru.body, /<h1>Платёж не найден<\/h1>/);
  assert.equal(ru.headers["set-cookie"], undefined, "nothing remembered without a choice");
  const de = await h.app.inject({ method: "GET", url: MISSING, headers: { "accept-language": "de-DE" } });
  assert.match(de.body, /<html lang="en">/);
  assert.match(de.body, /<h1>Payment not found<\/h1>/);
});

test("the switch (?lang=) wins over Accept-Language and is remembered by a cookie", async () => {
  const picked = await h.app.inject({ method: "GET", url: `${MISSING}?lang=tr`, headers: { "accept-language": "ru" } });
  assert.match(picked.body, /<html lang="tr">/);
  assert.match(picked.body, /Ödeme bulunamadı/);
  const cookie = String(picked.headers["set-cookie"]);
  assert.match(cookie, /^rampart_lang=tr; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  const later = await h.app.inject({ method: "GET", url: MISSING, headers: { "accept-language": "ru", cookie: cookie.split(";")[0]! } });
  assert.match(later.body, /<html lang="tr">/);
  const bogus = await h.app.inject({ method: "GET", url: `${MISSING}?lang=xx`, headers: { "accept-language": "es" } });
  assert.match(bogus.body, /<html lang="es">/);
  assert.equal(bogus.headers["set-cookie"], undefined);
});
