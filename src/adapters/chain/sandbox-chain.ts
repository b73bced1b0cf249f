// Sandbox blockchain: records every send in an append-only file in the data dir, so any process
// (and a process restarted after a crash) can ask it by payout key, like a real chain's explorer.
//  - tx hashes are deterministic: sha256 of the payout key;
//  - a payout confirms after `confirmations` status polls;
//  - sends to the documented test addresses below fail for good.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ChainPayout, ChainPayoutStatus } from "../../app/ports.js";

/** Well-known burn addresses: valid for their network, and refused by the sandbox chain. */
export const SANDBOX_FAILING_ADDRESSES = [
  "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb",
  "0x000000000000000000000000000000000000dEaD",
  "1BitcoinEaterAddressDontSendf59kuE",
] as const;

interface Line {
  kind: "send" | "poll";
  key: string;
  txHash?: string;
  network?: string;
  address?: string;
  amount?: string;
}

export function createSandboxChain(dataDir: string, confirmations: number): ChainPayout {
  const file = path.join(dataDir, "sandbox-chain.jsonl");
  const read = (): Line[] =>
    fs.existsSync(file)
      ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line)
      : [];
  const append = (line: Line) => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  const hashFor = (key: string, network: string) => {
    const h = createHash("sha256").update(key).digest("hex");
    return network === "ethereum" || network === "erc20" ? `0x${h}` : h;
  };

  return {
    name: "sandbox-chain",
    async send(req): Promise<ChainPayoutStatus> {
      if ((SANDBOX_FAILING_ADDRESSES as readonly string[]).includes(req.address)) {
        return { kind: "failed", reason: "sandbox: the destination refuses transfers" };
      }
      const sent = read().find((l) => l.kind === "send" && l.key === req.payoutKey);
      if (sent) return { kind: "pending", txHash: sent.txHash!, confirmations: 0 };
      const txHash = hashFor(req.payoutKey, req.network);
      append({ kind: "send", key: req.payoutKey, txHash, network: req.network, address: req.address, amount: req.amountMinor.toString() });
      return { kind: "pending", txHash, confirmations: 0 };
    },
    async status(payoutKey): Promise<ChainPayoutStatus> {
      const lines = read().filter((l) => l.key === payoutKey);
      const sent = lines.find((l) => l.kind === "send");
      if (!sent) return { kind: "unknown" };
      append({ kind: "poll", key: payoutKey });
      const polls = lines.filter((l) => l.kind === "poll").length + 1;
      return polls >= confirmations
        ? { kind: "confirmed", txHash: sent.txHash!, confirmations: polls }
        : { kind: "pending", txHash: sent.txHash!, confirmations: polls };
    },
  };
}

/** How many sends the sandbox chain recorded for a key (tests assert exactly one). */
export function sandboxChainSends(dataDir: string, payoutKey: string): number {
  const file = path.join(dataDir, "sandbox-chain.jsonl");
  if (!fs.existsSync(file)) return 0;
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.kind === "send" && l.key === payoutKey).length;
}
