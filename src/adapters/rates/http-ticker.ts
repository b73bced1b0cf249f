// Real rates over HTTP from a public exchange ticker. The URL is a template with {fiat} and {crypto};
// the answer must be JSON with a `price` (fiat per 1 crypto, string or number) and optionally a
// `time`/`timestamp` (epoch ms). Each source has a timeout; a stale or failing source fails over to
// the next one.
import type { Clock, RateQuote, RateSource } from "../../app/ports.js";
import { formatDecimal, numberToDecimalText, parseDecimal } from "../../core/money/decimal.js";

export interface HttpTickerOptions {
  urls: string[];
  clock: Clock;
  timeoutMs?: number;
  maxAgeSeconds: number;
}

async function fetchOne(url: string, opts: HttpTickerOptions): Promise<{ rate: string; fetchedAt: Date }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 3000), redirect: "error" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { price?: unknown; time?: unknown; timestamp?: unknown };
  const priceText = typeof body.price === "number" ? numberToDecimalText(body.price) : String(body.price ?? "");
  const rate = formatDecimal(parseDecimal(priceText, "price"));
  const stamp = body.time ?? body.timestamp;
  const fetchedAt = typeof stamp === "number" ? new Date(stamp) : opts.clock.now();
  if (opts.clock.now().getTime() - fetchedAt.getTime() > opts.maxAgeSeconds * 1000) throw new Error("stale ticker");
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
