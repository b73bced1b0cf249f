// Languages of the hosted pages (payer, KYC, 3-D Secure, trader cabinet). Words live in JSON
// catalogues a translator edits, locales/<lang>/<namespace>.json, loaded once at start into one
// i18next instance; this module picks the reader's language and formats amounts and dates for it
// through Intl. How to use it from a page: locales/README.md.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type TFunction } from "i18next";
import type { FastifyReply, FastifyRequest } from "fastify";
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { readCookie } from "./cookies.js";
import { html, type SafeHtml } from "./html.js";

export const LANGS = ["en", "ru", "kk", "es", "pt", "tr"] as const;
export type Lang = (typeof LANGS)[number];
const DEFAULT_LANG: Lang = "en";
/** The remembered choice: set when the reader picks a language with the switch (`?lang=`). */
const LANG_COOKIE = "rampart_lang";
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export const LOCALES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "locales");

const isLang = (v: unknown): v is Lang => typeof v === "string" && (LANGS as readonly string[]).includes(v);

type Catalogue = Record<string, unknown>;

/** Every catalogue on disk: lang → namespace → nested messages. A missing folder is a start-up error. */
export function readCatalogues(dir = LOCALES_DIR): Record<Lang, Record<string, Catalogue>> {
  const out = {} as Record<Lang, Record<string, Catalogue>>;
  for (const lang of LANGS) {
    out[lang] = {};
    for (const file of fs.readdirSync(path.join(dir, lang)).filter((f) => f.endsWith(".json"))) {
      out[lang][file.slice(0, -".json".length)] = JSON.parse(fs.readFileSync(path.join(dir, lang, file), "utf8")) as Catalogue;
    }
  }
  return out;
}

const catalogues = readCatalogues();
const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false, // resources are in memory: init completes before this line returns
  resources: catalogues,
  supportedLngs: [...LANGS],
  fallbackLng: DEFAULT_LANG,
  defaultNS: "common",
  ns: Object.keys(catalogues[DEFAULT_LANG]),
  // Pages escape every interpolated value themselves (html``); escaping here would double it.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Accept-Language → the best supported language by q-value (`ru-RU;q=0.9` → ru), or undefined. */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .slice(0, 512)
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { base: tag.trim().toLowerCase().split("-")[0]!, q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.q > 0 && isLang(x.base))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.base as Lang | undefined;
}

/**
 * The reader's language: `?lang=` (the switch) first, then the remembered cookie, then
 * Accept-Language, then English. A `?lang=` choice is remembered with a cookie on `reply`.
 */
function pickLang(request: FastifyRequest, reply?: FastifyReply): Lang {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  if (isLang(asked)) {
    if (reply) void reply.header("set-cookie", langCookie(asked, request.protocol === "https"));
    return asked;
  }
  const remembered = readCookie(request.headers.cookie, LANG_COOKIE);
  if (isLang(remembered)) return remembered;
  return langFromAcceptLanguage(request.headers["accept-language"]) ?? DEFAULT_LANG;
}

/** Not HttpOnly-sensitive (a language), but kept HttpOnly anyway: no script needs it. Whole site. */
function langCookie(lang: Lang, secure: boolean): string {
  return [`${LANG_COOKIE}=${lang}`, "Path=/", `Max-Age=${ONE_YEAR_SECONDS}`, "HttpOnly", "SameSite=Lax", ...(secure ? ["Secure"] : [])].join("; ");
}

export interface Messages {
  lang: Lang;
  /** `t("key")` reads the first namespace given to messagesFor; `t("other:key")` any other. */
  t: TFunction;
  /** Minor units at the currency's ISO 4217 scale (not Intl's): ru `5 000,00 ₽`, en `RUB 5,000.00`. */
  money(minor: bigint | string, currency: string, scale?: number): string;
  /** A plain decimal number in the reader's format (`5000.5` → ru `5 000,5`), exact for any length. */
  number(decimal: string): string;
  /** Date and time, UTC, with the zone named: the page script re-renders it in the reader's zone. */
  dateTime(d: Date): string;
  /** A namespace's messages for a page script (jsonForScript), resolved in this language. */
  bundle(ns: string): Catalogue;
}

export function messagesFor(lang: Lang, namespaces: readonly string[]): Messages {
  const t = i18n.getFixedT(lang, [...namespaces, "common"]);
  const dateFmt = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" });
  return {
    lang,
    t,
    money(minor, currency, scale = fiatScale(currency)) {
      const nf = new Intl.NumberFormat(lang, { style: "currency", currency, minimumFractionDigits: scale, maximumFractionDigits: scale });
      // A decimal string, never a Number: Intl formats strings exactly (no float on the way).
      return nf.format(formatMinor(BigInt(minor), scale) as unknown as number);
    },
    number(decimal) {
      const frac = decimal.split(".")[1]?.length ?? 0;
      return new Intl.NumberFormat(lang, { minimumFractionDigits: frac, maximumFractionDigits: frac }).format(decimal as unknown as number);
    },
    dateTime: (d) => dateFmt.format(d),
    bundle: (ns) => ({ ...catalogues[DEFAULT_LANG][ns], ...catalogues[lang][ns] }),
  };
}

/** The reader's language and messages for a request, remembering a `?lang=` choice. */
export function messagesForRequest(request: FastifyRequest, reply: FastifyReply, namespaces: readonly string[]): Messages {
  return messagesFor(pickLang(request, reply), namespaces);
}

/**
 * The visible language switch: a link per language, each named in its own language (common:language
 * of that catalogue), pointing at this page with `?lang=` so the choice works without a script.
 */
export function languageSwitch(m: Messages, currentUrl: string): SafeHtml {
  const url = new URL(currentUrl, "http://page.invalid");
  const links = LANGS.map((lang) => {
    url.searchParams.set("lang", lang);
    const name = i18n.getFixedT(lang, "common")("language");
    return lang === m.lang
      ? html`<a href="${url.pathname + url.search}" lang="${lang}" hreflang="${lang}" aria-current="true">${name}</a>`
      : html`<a href="${url.pathname + url.search}" lang="${lang}" hreflang="${lang}">${name}</a>`;
  });
  return html`<nav class="langs" aria-label="${m.t("common:languageSwitch")}">${links}</nav>`;
}
