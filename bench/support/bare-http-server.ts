// The machine's HTTP floor without the gateway: a bare node:http server answering every request with a
// small fixed JSON body, run as its own process like the gateway (./api-process.ts). A status read can
// go no faster than this on the same machine at the same moment, whatever the framework; the
// benchmarks report each read as a share of it, since this 2-core machine's speed swings within seconds.
import { createServer } from "node:http";

const BODY = Buffer.from('{"status":"ok"}');

const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": BODY.length });
  response.end(BODY);
});
server.listen(Number(process.env.PORT), process.env.HOST, () => process.stdout.write(`url: http://${process.env.HOST}:${process.env.PORT}\n`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
