// `rampart webhooks list|redeliver`: the delivery log and redelivery from the command line (the same
// use cases as /admin/v1/webhooks).
import { redeliverEndpointFailures, redeliverMessage, webhookMessagesPage } from "../app/outbox/webhook-admin.js";
import type { CommandRun } from "./command.js";
import { isUuid } from "../core/shared/uuid.js";
import { runCliAction } from "../app/audit/cli-action.js";

const STATUSES = ["pending", "delivered", "failed"] as const;

/** `rampart webhooks` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  const sub = positionals[0];
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  if (sub === "list" && positionals.length === 1) {
    const status = str("status");
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) return fail("--status must be pending, delivered or failed");
    const limit = str("limit");
    if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100)) return fail("--limit must be a number from 1 to 100");
    for (const k of ["merchant", "endpoint"]) if (str(k) !== undefined && !isUuid(str(k)!)) return fail(`--${k} must be a uuid`);
    return runtime.withDeps(async (deps) => {
      const page = await webhookMessagesPage(deps, {
        ...(str("merchant") ? { merchantId: str("merchant")!.toLowerCase() } : {}),
        ...(str("endpoint") ? { endpointId: str("endpoint")!.toLowerCase() } : {}),
        ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
        ...(str("cursor") ? { cursor: str("cursor")! } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
      });
      for (const m of page.items) {
        process.stdout.write(
          `${m.created_at.toISOString()}  ${m.status.padEnd(9)}  attempts=${m.attempts}  ${m.event_id}  ${m.format}  endpoint=${m.endpoint_id}  ${m.url}${m.last_error ? `  last_error=${JSON.stringify(m.last_error)}` : ""}\n`,
        );
      }
      process.stdout.write(`${page.items.length} message(s)${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ""}\n`);
      return 0;
    });
  }
  if (sub === "redeliver" && positionals.length === 1) {
    const event = str("event");
    const endpoint = str("endpoint");
    if ((event === undefined) === (endpoint === undefined)) return fail("redeliver needs exactly one of --event or --endpoint");
    return runtime.withDeps(async (deps) => {
      if (event !== undefined) {
        process.stdout.write(`redelivering message ${event} ...\n`);
        // Named as the operator API's actions of the same use cases, so the audit log's filter finds both.
        await runCliAction(deps, { action: "webhooks.messages.redeliver", subject: event, details: {} }, () => redeliverMessage(deps, event));
        process.stdout.write(`queued 1 message; the worker sends it on its next poll\n`);
      } else {
        process.stdout.write(`redelivering failed messages of endpoint ${endpoint} ...\n`);
        const n = await runCliAction(deps, { action: "webhooks.endpoints.redeliver-failed", subject: endpoint!, details: {} }, () => redeliverEndpointFailures(deps, endpoint!));
        process.stdout.write(`re-enabled the endpoint and queued ${n} message(s); the worker sends them on its next polls\n`);
      }
      return 0;
    });
  }
  return fail("Usage: rampart webhooks list|redeliver (see --help)");
};

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
