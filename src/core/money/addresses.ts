// Wallet address checks per network, with the published algorithms: Bitcoin base58check (P2PKH,
// P2SH) and bech32 (segwit v0) / bech32m (v1+) per BIP-173/BIP-350; Ethereum EIP-55 mixed-case
// checksums; TRON base58check with the 0x41 prefix.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32, bech32m, createBase58check } from "@scure/base";
import type { AddressFormat } from "./assets.js";
import { assertNever } from "../shared/assert-never.js";

type AddressCheck = { ok: true } | { ok: false; reason: string };

const base58check = createBase58check(sha256);
const OK: AddressCheck = { ok: true };
const bad = (reason: string): AddressCheck => ({ ok: false, reason });

function checkSegwit(address: string): AddressCheck {
  const lower = address.toLowerCase();
  if (address !== lower && address !== address.toUpperCase()) return bad("mixed case bech32");
  if (!lower.startsWith("bc1")) return bad("not a mainnet address");
  let decoded: { prefix: string; words: number[] } | undefined;
  let variant: "bech32" | "bech32m" | undefined;
  try {
    decoded = bech32.decode(lower as `${string}1${string}`, 90);
    variant = "bech32";
  } catch {
    try {
      decoded = bech32m.decode(lower as `${string}1${string}`, 90);
      variant = "bech32m";
    } catch {
      return bad("bad bech32 checksum");
    }
  }
  if (decoded.prefix !== "bc") return bad("not a mainnet address");
  if (decoded.words.length === 0) return bad("empty data section");
  const version = decoded.words[0]!;
  if (version > 16) return bad("bad witness version");
  let program: Uint8Array;
  try {
    program = bech32.fromWords(decoded.words.slice(1));
  } catch {
    return bad("bad witness program padding");
  }
  if (program.length < 2 || program.length > 40) return bad("bad witness program length");
  if (version === 0) {
    if (variant !== "bech32") return bad("segwit v0 must use bech32");
    if (program.length !== 20 && program.length !== 32) return bad("bad v0 program length");
  } else if (variant !== "bech32m") {
    return bad("segwit v1+ must use bech32m");
  }
  return OK;
}

function checkBitcoin(address: string): AddressCheck {
  if (/^bc1/i.test(address)) return checkSegwit(address);
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return bad("bad base58check");
  }
  if (payload.length !== 21) return bad("bad length");
  if (payload[0] !== 0x00 && payload[0] !== 0x05) return bad("not a mainnet P2PKH/P2SH version");
  return OK;
}

function eip55(hexLower: string): string {
  const hash = keccak_256(new TextEncoder().encode(hexLower));
  let out = "";
  for (let i = 0; i < hexLower.length; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? hexLower[i]!.toUpperCase() : hexLower[i]!;
  }
  return out;
}

/** A 0x + 40 hex address in its EIP-55 mixed-case spelling (what wallets show and check). */
export function eip55Address(address: string): string {
  return `0x${eip55(address.slice(2).toLowerCase())}`;
}

function checkEthereum(address: string): AddressCheck {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return bad("must be 0x followed by 40 hex digits");
  const body = address.slice(2);
  // Whatever is sent to the zero address is burnt: no one holds its key.
  if (/^0{40}$/.test(body)) return bad("the zero address cannot receive");
  // All-lower or all-upper carries no checksum and is accepted as such; mixed case must match EIP-55.
  if (body === body.toLowerCase() || body === body.toUpperCase()) return OK;
  return eip55(body.toLowerCase()) === body ? OK : bad("bad EIP-55 checksum");
}

function checkTron(address: string): AddressCheck {
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return bad("bad base58check");
  }
  if (payload.length !== 21 || payload[0] !== 0x41) return bad("not a TRON address (prefix 0x41)");
  return OK;
}

export function checkAddress(format: AddressFormat, address: string): AddressCheck {
  if (address.length === 0 || address.length > 100 || /\s/.test(address)) return bad("malformed");
  switch (format) {
    case "bitcoin":
      return checkBitcoin(address);
    case "ethereum":
      return checkEthereum(address);
    case "tron":
      return checkTron(address);
    default:
      return assertNever(format, "address format");
  }
}
