// The HTTP floor of the machine in the same run: a bare node:http server (./bare-http-server.ts) under
// the same autocannon load as a status read. This 2-core machine's speed swings by half within seconds
// (the bare server read 22,000 to 50,000 req/s on one afternoon), so a status read's absolute figure
// mostly says how busy the machine was; next to the floor it says what the gateway costs. The floor is
// measured once before the reads, so a single run's share is rough: compare several runs.
import autocannon from "autocannon";
import { perRequest, startBareHttpProcess } from "./api-process.js";

type Floor = Record<number, number>;

/** req/s of the bare server at each connection count, printed as it goes. */
export async function measureHttpFloor(seconds: number, connections: number[]): Promise<Floor> {
  const server = await startBareHttpProcess();
  const floor: Floor = {};
  try {
    for (const c of connections) {
      const cpu0 = server.cpuMs();
      const r = await autocannon({ url: server.url, connections: c, duration: seconds });
      if (r.non2xx > 0 || r.errors > 0 || r.requests.total === 0) throw new Error(`the bare HTTP server failed: non-2xx ${r.non2xx}, errors ${r.errors}`);
      floor[c] = r.requests.average;
      console.log(`bare node:http (machine floor) c=${c}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req`);
    }
  } finally {
    await server.stop();
  }
  return floor;
}

/** `<name> c=<c>: <req/s> req/s = <pct> % of the bare floor (<floor> req/s)`. */
export function floorLine(name: string, connections: number, reqPerSecond: number, floor: Floor): string {
  const f = floor[connections]!;
  return `${name} c=${connections}: ${reqPerSecond.toFixed(0)} req/s = ${((100 * reqPerSecond) / f).toFixed(1)} % of the bare floor (${f.toFixed(0)} req/s)`;
}
