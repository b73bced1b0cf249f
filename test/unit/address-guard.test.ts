// The SSRF guard's table: one address inside every refused range (and the edges of the commonly
// confused ones), every IPv4-in-IPv6 spelling of a refused address, and public addresses that pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isBlockedAddress } from "../../src/core/shared/address-guard.js";

const refusedV4: [string, string][] = [
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "this network 0/8"],
  ["10.0.0.1", "private 10/8"],
  ["10.255.255.255", "private 10/8, last"],
  ["100.64.0.1", "CGNAT 100.64/10"],
  ["100.127.255.254", "CGNAT 100.64/10, last"],
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback 127/8"],
  ["169.254.169.254", "cloud metadata"],
  ["169.254.1.1", "link-local"],
  ["172.16.0.1", "private 172.16/12"],
  ["172.31.255.255", "private 172.16/12, last"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["192.0.2.1", "documentation TEST-NET-1"],
  ["192.88.99.1", "6to4 relay anycast"],
  ["192.168.1.1", "private 192.168/16"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.254", "benchmarking, last"],
  ["198.51.100.7", "documentation TEST-NET-2"],
  ["203.0.113.7", "documentation TEST-NET-3"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast SSDP"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
];

const refusedV6: [string, string][] = [
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["[::1]", "bracketed, as in a URL"],
  ["fe80::1", "link-local"],
  ["febf::1", "link-local, last /10"],
  ["fec0::1", "site-local"],
  ["fc00::1", "unique-local"],
  ["fd12:3456::1", "unique-local"],
  ["fd00:ec2::254", "AWS IPv6 metadata"],
  ["ff02::1", "multicast"],
  ["100::1", "discard"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation 3fff::/20"],
  ["2001:2::1", "benchmarking"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
  ["2002:7f00:1::1", "6to4 of 127.0.0.1"],
  ["64:ff9b::7f00:1", "NAT64 of 127.0.0.1"],
  ["64:ff9b:1::1", "local-use NAT64"],
  ["::ffff:0:7f00:1", "IPv4-translated 127.0.0.1"],
];

const refusedEmbedded: [string, string][] = [
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::FFFF:7F00:1", "IPv4-mapped loopback, hex, upper case"],
  ["0:0:0:0:0:ffff:7f00:1", "IPv4-mapped loopback, uncompressed"],
  ["::ffff:169.254.169.254", "IPv4-mapped metadata"],
  ["::ffff:a9fe:a9fe", "IPv4-mapped metadata, hex"],
  ["::ffff:10.0.0.1", "IPv4-mapped private"],
  ["::127.0.0.1", "IPv4-compatible loopback"],
  ["::7f00:1", "IPv4-compatible loopback, hex"],
];

test("every refused range, IPv4", () => {
  for (const [ip, why] of refusedV4) assert.equal(isBlockedAddress(ip), true, `${ip} (${why})`);
});

test("every refused range, IPv6", () => {
  for (const [ip, why] of refusedV6) assert.equal(isBlockedAddress(ip), true, `${ip} (${why})`);
});

test("IPv4 addresses spelled as IPv6 are judged as the IPv4 address", () => {
  for (const [ip, why] of refusedEmbedded) assert.equal(isBlockedAddress(ip), true, `${ip} (${why})`);
  assert.equal(isBlockedAddress("::ffff:8.8.8.8"), false, "mapped public address");
});

test("public unicast addresses pass, including the neighbours of refused ranges", () => {
  for (const ip of [
    "8.8.8.8",
    "1.1.1.1",
    "9.255.255.255",
    "11.0.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "192.167.255.255",
    "192.169.0.1",
    "198.17.255.255",
    "198.20.0.1",
    "223.255.255.254",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
  ]) {
    assert.equal(isBlockedAddress(ip), false, ip);
  }
});

test("anything that is not an IP literal is refused", () => {
  for (const s of ["", "localhost", "example.com", "1.2.3", "127.1", "2130706433", "::g"]) assert.equal(isBlockedAddress(s), true, JSON.stringify(s));
});
