// Sandbox credentials are derived from the server secret, so `rampart start` can print them again
// at every start while the database keeps only their hashes.
import { createHmac } from "node:crypto";
import { deriveKey, type ParsedKey } from "../../core/crypto/api-keys.js";
import { MERCHANT_KEY_PREFIX, OPERATOR_KEY_PREFIX } from "../keys/key-formats.js";
import { sandboxTraders } from "./seed-trading.js";

export interface SandboxTrader {
  traderId: string;
  name: string;
  key: ParsedKey;
}

export interface SandboxCredentials {
  merchantId: string;
  storeId: string;
  merchantKey: ParsedKey;
  operatorKey: ParsedKey;
  /** The sandbox store's IPN secret as first seeded; seedSandbox answers the one in force (after a rotation, the new one). */
  storeIpnSecret: string;
  /** Trader keys (`x-trader-key`, /cabinet sign-in) of the seeded traders. */
  traders: SandboxTrader[];
  /** The console's sandbox admin (/dashboard): it sets up its authenticator at the first sign-in. */
  staff: { email: string; password: string };
}

function derive(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`sandbox:${purpose}`).digest();
}

function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40; // a v4-shaped uuid: random-looking, fixed per installation
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sandboxCredentials(secretKey: string): SandboxCredentials {
  return {
    merchantId: uuidFrom(derive(secretKey, "merchant")),
    storeId: "store_sandbox",
    merchantKey: deriveKey(MERCHANT_KEY_PREFIX, Buffer.concat([derive(secretKey, "merchant-key"), derive(secretKey, "merchant-key-2")])),
    operatorKey: deriveKey(OPERATOR_KEY_PREFIX, Buffer.concat([derive(secretKey, "operator-key"), derive(secretKey, "operator-key-2")])),
    storeIpnSecret: `whsec_${derive(secretKey, "webhook-secret").toString("base64url")}`,
    traders: sandboxTraders(secretKey),
    staff: { email: "operator@sandbox.example", password: derive(secretKey, "staff-password").toString("base64url").slice(0, 24) },
  };
}
