// Reads a statement's XML with fast-xml-parser, configured for files from outside: a DOCTYPE is refused
// (statements are XSD-typed and never declare entities, so a billion-laughs or external-entity file
// stops here), entities are never expanded by the parser, the document must be well formed (the
// parser alone would accept a file cut short) and nesting is bounded. Only the five predefined XML
// entities and character references are decoded, in the text values the statement readers take.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { unreadable } from "./statement-entry.js";

/** Elements that may repeat in camt.053/054: always read as arrays, so one and many look alike. */
const REPEATING = new Set(["Stmt", "Ntfctn", "Ntry", "NtryDtls", "TxDtls", "Ustrd", "Strd", "CdtrRefInf", "RfrdDocInf", "AddtlRmtInf", "Bal"]);

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  removeNSPrefix: true,
  trimValues: true,
  maxNestedTags: 64,
  isArray: (name) => REPEATING.has(name),
});

type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

export function parseStatementXml(xml: string): XmlNode {
  // Before the parser sees anything: a DOCTYPE can only declare entities or point at outside files.
  if (xml.includes("<!DOCTYPE") || xml.includes("<!ENTITY")) throw unreadable("The XML declares a DOCTYPE or entities, which a statement never does");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw unreadable(`The XML is malformed or cut short (line ${valid.err.line}: ${valid.err.msg})`);
  try {
    return parser.parse(xml) as XmlNode;
  } catch (err) {
    throw unreadable(`The XML cannot be read: ${(err as Error).message.slice(0, 200)}`);
  }
}

const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (!name.startsWith("#")) return PREDEFINED[name]!;
    const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

/** The child element `name` (the first when it repeats). */
export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return undefined;
  const v = node[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every child element `name`. */
export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The element at `path` (each step the first child of that name). */
export function at(node: XmlValue | undefined, ...path: string[]): XmlValue | undefined {
  return path.reduce<XmlValue | undefined>((n, name) => child(n, name), node);
}

/** The text of an element (also of one with attributes), decoded; null when absent or empty. */
export function text(node: XmlValue | undefined): string | null {
  if (node === undefined || Array.isArray(node)) return null;
  const raw = typeof node === "string" ? node : typeof node["#text"] === "string" ? node["#text"] : null;
  if (raw === null) return null;
  const t = decodeText(raw).trim();
  return t === "" ? null : t;
}

export function attr(node: XmlValue | undefined, name: string): string | null {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return null;
  const v = node[`@_${name}`];
  return typeof v === "string" ? decodeText(v).trim() : null;
}
