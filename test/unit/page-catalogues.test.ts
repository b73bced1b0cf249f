// The hosted pages' message catalogues (src/http/pages/locales/<lang>/<namespace>.json): every
// namespace in every language, every key in every language (plural keys with the forms that
// language needs), the same {{placeholders}}, nothing empty. Then the language pick and the Intl
// formatting that the pages rely on.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { LANGS, LOCALES_DIR, langFromAcceptLanguage, languageSwitch, messagesFor, readCatalogues } from "../../src/http/pages/i18n.js";

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(obj: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object") for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v as string);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort().join(",");

test("every language has every namespace of every other language", () => {
  const perLang = LANGS.map((lang) => fs.readdirSync(path.join(LOCALES_DIR, lang)).filter((f) => f.endsWith(".json")).sort());
  const all = [...new Set(perLang.flat())].sort();
  assert.ok(all.includes("common.json"));
  LANGS.forEach((lang, i) => assert.deepEqual(perLang[i], all, `${lang} lacks ${all.filter((f) => !perLang[i]!.includes(f)).join(", ")}`));
});

test("every key exists in every language, with its placeholders and the plural forms the language needs", () => {
  const cats = readCatalogues();
  for (const ns of Object.keys(cats.en)) {
    const en = flatten(cats.en[ns]!);
    const baseKeys = (m: Map<string, string>) => new Set([...m.keys()].map((k) => k.replace(PLURAL, "")));
    for (const lang of LANGS) {
      const msgs = flatten(cats[lang][ns]!);
      assert.deepEqual([...baseKeys(msgs)].sort(), [...baseKeys(en)].sort(), `${lang}/${ns}.json keys differ from en`);
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const key of baseKeys(en)) {
        const forms = [...msgs.keys()].filter((k) => k.replace(PLURAL, "") === key && PLURAL.test(k));
        const isPlural = [...en.keys()].some((k) => k !== key && k.replace(PLURAL, "") === key);
        const sample = en.get(key) ?? en.get(`${key}_other`)!;
        if (isPlural) for (const f of needed) assert.ok(msgs.has(`${key}_${f}`), `${lang}/${ns}: ${key}_${f} missing`);
        else assert.equal(forms.length, 0, `${lang}/${ns}: ${key} is not plural in en`);
        for (const k of isPlural ? needed.map((f) => `${key}_${f}`) : [key]) {
          const text = msgs.get(k);
          assert.ok(typeof text === "string" && text.trim() !== "", `${lang}/${ns}: ${k} is empty`);
          assert.equal(placeholders(text), placeholders(sample), `${lang}/${ns}: ${k} placeholders differ from en`);
        }
      }
    }
  }
});

test("Accept-Language picks the best supported language by q-value", () => {
  assert.equal(langFromAcceptLanguage("ru-RU,ru;q=0.9,en-US;q=0.8"), "ru");
  assert.equal(langFromAcceptLanguage("de-DE,kk;q=0.5,tr;q=0.7"), "tr");
  assert.equal(langFromAcceptLanguage("pt-BR"), "pt");
  assert.equal(langFromAcceptLanguage("fr, de;q=0.9"), undefined);
  assert.equal(langFromAcceptLanguage("ru;q=0, es"), "es");
  assert.equal(langFromAcceptLanguage(undefined), undefined);
});

test("amounts in the reader's format with ISO 4217 minor units, never Intl's", () => {
  assert.equal(messagesFor("ru", ["common"]).money(500000n, "RUB"), "5\u00a0000,00\u00a0₽");
  assert.equal(messagesFor("kk", ["common"]).money("123456", "KZT"), "1\u00a0234,56\u00a0₸");
  assert.equal(messagesFor("en", ["common"]).money(500000n, "RUB"), "RUB\u00a05,000.00");
  // Intl would print HUF with no decimals; ISO 4217 has two, and the amount is exact.
  assert.equal(messagesFor("en", ["common"]).money(150050n, "HUF"), "HUF\u00a01,500.50");
  // Beyond a float's precision the text stays exact.
  assert.equal(messagesFor("en", ["common"]).money(123456789012345678n, "USD"), "$1,234,567,890,123,456.78");
  assert.equal(messagesFor("tr", ["common"]).number("5000.5"), "5.000,5");
  assert.equal(messagesFor("ru", ["common"]).dateTime(new Date("2026-12-04T12:26:00Z")), "4 дек. 2026 г., 12:26 UTC");
});

test("the language switch names each language in itself and marks the current one", () => {
  const s = languageSwitch(messagesFor("ru", ["common"]), "/pay/abc?lang=en&x=1").value;
  assert.match(s, /aria-label="Язык"/);
  assert.match(s, /<a href="\/pay\/abc\?lang=kk&amp;x=1" lang="kk" hreflang="kk">Қазақша<\/a>/);
  assert.match(s, /lang="ru" hreflang="ru" aria-current="true">Русский</);
  assert.equal(messagesFor("es", ["common"]).t("copy"), "Copiar");
  assert.equal(messagesFor("es", ["common"]).t("common:notFound.payment"), "Pago no encontrado");
});
