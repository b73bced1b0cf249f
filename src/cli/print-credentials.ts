import type { SandboxCredentials } from "../app/sandbox/sandbox-credentials.js";

/** One labelled line each, so scripts can grep them. */
export function printCredentials(creds: SandboxCredentials, out: NodeJS.WritableStream = process.stdout): void {
  out.write(
    [
      `merchant id:      ${creds.merchantId}`,
      `store id:         ${creds.storeId}`,
      `merchant api key: ${creds.merchantKey.key}`,
      `store ipn secret: ${creds.storeIpnSecret}`,
      `operator key:     ${creds.operatorKey.key}`,
      `console sign-in:  ${creds.staff.email} ${creds.staff.password} (/dashboard; set up an authenticator app at the first sign-in)`,
      ...creds.traders.map((t) => `trader key:       ${t.key.key} (${t.traderId}, ${t.name})`),
      "",
    ].join("\n"),
  );
}
