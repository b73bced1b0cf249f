import assert from "node:assert/strict";
import { test } from "node:test";
import { checkAddress } from "../../src/core/money/addresses.js";
import { AssetRegistry } from "../../src/core/money/assets.js";

const VECTORS = {
  bitcoin: {
    valid: [
      "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", // P2PKH
      "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", // P2SH
      "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", // BIP-173, upper case
      "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", // BIP-173 P2WPKH
      "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", // BIP-173 P2WSH
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", // BIP-350 taproot (bech32m)
    ],
    invalid: [
      "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", // base58check checksum
      "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", // bech32 checksum
      "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", // testnet
      "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", // mixed case
      "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", // testnet P2PKH
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "",
    ],
  },
  ethereum: {
    valid: [
      // EIP-55 published examples
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
      "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", // all lower: unchecksummed, accepted
      "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", // all upper: unchecksummed, accepted
    ],
    invalid: [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", // one letter's case flipped
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", // 39 digits
      "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", // no 0x
      "0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    ],
  },
  tron: {
    valid: ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"],
    invalid: [
      "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", // checksum
      "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", // valid base58check, wrong prefix
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    ],
  },
} as const;

for (const [format, { valid, invalid }] of Object.entries(VECTORS)) {
  test(`${format} addresses: published valid vectors pass, corrupted ones fail`, () => {
    for (const a of valid) assert.deepEqual(checkAddress(format as never, a), { ok: true }, a);
    for (const a of invalid) assert.equal(checkAddress(format as never, a).ok, false, a);
  });
}

test("segwit version/checksum pairing per BIP-350", () => {
  // v0 program with a bech32m checksum, and v1 with a plain bech32 checksum, are both invalid.
  assert.equal(checkAddress("bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh").ok, false);
  assert.equal(checkAddress("bitcoin", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd").ok, false);
});

test("assets are per network, and the operator can add one", () => {
  const reg = new AssetRegistry();
  assert.equal(reg.get("USDT", "trc20").decimals, 6);
  assert.equal(reg.get("ETH", "ethereum").decimals, 18);
  assert.equal(reg.get("BTC", "bitcoin").decimals, 8);
  assert.deepEqual(reg.networksOf("USDT").map((a) => a.network).sort(), ["erc20", "trc20"]);
  assert.throws(() => reg.get("USDT", "solana"));
  reg.add({ symbol: "DAI", network: "erc20", name: "Dai", decimals: 18, addressFormat: "ethereum" });
  assert.equal(reg.get("dai", "ERC20").decimals, 18);
});
