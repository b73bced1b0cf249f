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
      // EIP-55's all-caps and all-lower examples
      "0x52908400098527886E0F7030069857D2E4169EE7",
      "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
      "0xde709f2102306220921060314715629080e2fb77",
      "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ],
    invalid: [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", // one letter's case flipped
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", // 39 digits
      "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", // no 0x
      "0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35", // 39 digits
      "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d3590", // 41 digits
      "0XfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", // upper-case X prefix
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6Fb", // last letter's case flipped
      "0x0000000000000000000000000000000000000000", // the zero address: what it receives is burnt
    ],
  },
  tron: {
    // USDT's and USDC's TRC-20 contracts, and two account addresses
    valid: ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"],
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

// BIP-350's test vectors (which supersede BIP-173's for v1+), each with the reason we give. Testnet
// vectors are refused because Rampart pays out on mainnet only.
const BIP350_VALID = [
  "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
  "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", // v1, 40-byte program
  "BC1SW50QGDZ25J", // v16, 2-byte program
  "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", // v2, 16-byte program
  "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", // taproot
];
const BIP350_INVALID: [string, string][] = [
  ["tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "bad base58check"], // invalid hrp
  ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "segwit v1+ must use bech32m"],
  ["BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "segwit v1+ must use bech32m"],
  ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "segwit v0 must use bech32"],
  ["bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "bad bech32 checksum"], // invalid character
  ["BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "bad witness version"],
  ["bc1pw5dgrnzv", "bad witness program length"], // 1 byte
  ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "bad witness program length"], // 41 bytes
  ["BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "bad v0 program length"], // 16 bytes on v0 (BIP-141)
  ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "bad witness program padding"], // > 4 bits
  ["bc1gmk9yu", "empty data section"],
  ["tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "bad base58check"], // mixed case, testnet
  ["tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "bad base58check"], // valid, but testnet
  // BIP-173's original v1+ vectors use bech32, which BIP-350 made invalid for v1+.
  ["bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "segwit v1+ must use bech32m"],
  ["BC1SW50QA3JX3S", "segwit v1+ must use bech32m"],
  ["bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "segwit v1+ must use bech32m"],
  // BIP-173's invalid addresses not repeated above.
  ["bc1rw5uspcuh", "bad witness program length"],
  ["bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "bad witness program length"],
  ["bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "bad witness program padding"], // > 4 bits
];

test("bitcoin: BIP-350 and BIP-173 segwit vectors, each refused for its own reason", () => {
  for (const a of BIP350_VALID) assert.deepEqual(checkAddress("bitcoin", a), { ok: true }, a);
  for (const [a, reason] of BIP350_INVALID) assert.deepEqual(checkAddress("bitcoin", a), { ok: false, reason }, a);
});

test("bitcoin: base58 payloads of the wrong length or alphabet are refused", () => {
  assert.deepEqual(checkAddress("bitcoin", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0"), { ok: false, reason: "bad base58check" }); // '0' is not base58
  assert.deepEqual(checkAddress("bitcoin", "14dsCmVFGsgxBrBqW2E71XJwccjb2mHzkaK"), { ok: false, reason: "bad length" }); // version 0x00, 22 bytes
});

test("tron: payloads of the wrong length or prefix are refused", () => {
  assert.deepEqual(checkAddress("tron", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"), { ok: true }); // 0x41 + 20 zero bytes
  for (const a of [
    "6vgvUCe6UMREQNmKiJ96L4nLvCGnfJ6N5", // 0x41 + 19 bytes
    "2zSb5yFtu3WugTVR2WG5UG5N9uzvBP2eLLBB", // 0x41 + 21 bytes
    "27PifgzaHyhCCZgeeKN9t3Y3WfXeuK3CPWr", // 0xa0 prefix
  ]) {
    assert.deepEqual(checkAddress("tron", a), { ok: false, reason: "not a TRON address (prefix 0x41)" }, a);
  }
});

test("every network refuses empty, oversized and whitespace-padded input", () => {
  for (const format of ["bitcoin", "ethereum", "tron"] as const) {
    for (const a of ["", " TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n", "1".repeat(101)]) {
      assert.deepEqual(checkAddress(format, a), { ok: false, reason: "malformed" }, `${format}: ${JSON.stringify(a)}`);
    }
  }
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
