// Real rates over HTTP from a public exchange ticker. The URL is a template with {fiat} and {crypto};
// the answer must be JSON with a `price` (fiat per 1 crypto, a positive decimal string or number) and
// optionally a `time`/`timestamp` (epoch ms, or ISO 8601 text). Each source has a timeout; a stale,
// malformed or failing source fails over to the next one.
import type { Clock, RateQuote, RateSource } from "../../app/ports.js";
import { formatDecimal, numberToDecimalText, parseDecimal } from "../../core/money/decimal.js";

interface HttpTickerOptions {
  urls: string[];
  clock: Clock;
  timeoutMs?: number;
  maxAgeSeconds: number;
}

/**
 * When the ticker says its price was made. A ticker without a time is taken as of now; one whose time
 * cannot be read is refused (it could be any age); a time ahead of our clock is capped at now, so a
 * skewed ticker cannot make its price look fresh for longer.
 */
function tickerTime(stamp: unknown, now: Date): Date {
  if (stamp === undefined || stamp === null) return now;
  const ms = typeof stamp === "number" ? stamp : typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  if (!Number.isFinite(ms)) throw new Error("unreadable ticker time");
  return ms > now.getTime() ? now : new Date(ms);
}

async function fetchOne(url: string, opts: HttpTickerOptions): Promise<{ rate: string; fetchedAt: Date }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 3000), redirect: "error" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { price?: unknown; time?: unknown; timestamp?: unknown };
  const priceText = typeof body.price === "number" ? numberToDecimalText(body.price) : String(body.price ?? "");
  const price = parseDecimal(priceText, "price");
  if (price.coefficient <= 0n) throw new Error("non-positive price");
  const rate = formatDecimal(price);
  const now = opts.clock.now();
  const fetchedAt = tickerTime(body.time ?? body.timestamp, now);
  if (now.getTime() - fetchedAt.getTime() > opts.maxAgeSeconds * 1000) throw new Error("stale ticker");
  return { rate, fetchedAt };
}

export function createHttpTickerSource(opts: HttpTickerOptions): RateSource {
  return {
    name: "http-ticker",
    async getRate(fiat, crypto): Promise<RateQuote> {
      const errors: string[] = [];
      for (const [i, template] of opts.urls.entries()) {
        const url = template.replaceAll("{fiat}", encodeURIComponent(fiat)).replaceAll("{crypto}", encodeURIComponent(crypto));
        try {
          const { rate, fetchedAt } = await fetchOne(url, opts);
          return { fiat, crypto, rate, fetchedAt, source: `http-ticker#${i + 1}` };
        } catch (err) {
          errors.push(`source ${i + 1}: ${(err as Error).message}`);
        }
      }
      throw new Error(`no rate for ${fiat}/${crypto}: ${errors.join("; ")}`);
    },
  };
}
