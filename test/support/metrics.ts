// Reads /metrics through inject(): the exposition text parsed into "name{labels}" → value, so a test
// can compare a metric before and after its event.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";

export type Scrape = Map<string, number>;

export async function scrape(app: FastifyInstance): Promise<Scrape> {
  const r = await app.inject({ method: "GET", url: "/metrics" });
  assert.equal(r.statusCode, 200, r.body);
  const out: Scrape = new Map();
  for (const line of r.body.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** A sample's value (0 when absent); labels in the order prom-client prints them (as declared). */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");
  return s.get(l ? `${name}{${l}}` : name) ?? 0;
}
