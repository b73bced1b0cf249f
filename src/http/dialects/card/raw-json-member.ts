// Reads the exact source text of one top-level member of a JSON object. A card number sent as a JSON
// number (4242424242424242, or a 19-digit PAN) is past what a double holds exactly, so its digits are
// taken from the raw body, never from the parsed number.

const WS = new Set([" ", "\t", "\n", "\r"]);

/**
 * The raw text of `key`'s value in the top-level object of `json` (the last one, as JSON.parse keeps),
 * or undefined when absent or when the text is not a well-formed object.
 */
export function rawJsonMember(json: string, key: string): string | undefined {
  let i = 0;
  const n = json.length;
  const ws = () => {
    while (i < n && WS.has(json[i]!)) i++;
  };
  const string = (): string => {
    const start = i++;
    while (i < n) {
      const c = json[i]!;
      if (c === "\\") i += 2;
      else if (c === '"') return json.slice(start, ++i);
      else i++;
    }
    throw new SyntaxError("unterminated string");
  };
  const value = (): string => {
    ws();
    const start = i;
    const c = json[i];
    if (c === '"') return string();
    if (c === "{" || c === "[") {
      let depth = 0;
      while (i < n) {
        const d = json[i]!;
        if (d === '"') {
          string();
          continue;
        }
        if (d === "{" || d === "[") depth++;
        else if (d === "}" || d === "]") {
          depth--;
          if (depth === 0) return json.slice(start, ++i);
        }
        i++;
      }
      throw new SyntaxError("unterminated container");
    }
    while (i < n && !WS.has(json[i]!) && json[i] !== "," && json[i] !== "}" && json[i] !== "]") i++;
    if (i === start) throw new SyntaxError("missing value");
    return json.slice(start, i);
  };
  try {
    ws();
    if (json[i] !== "{") return undefined;
    i++;
    let found: string | undefined;
    ws();
    if (json[i] === "}") return undefined;
    for (;;) {
      ws();
      if (json[i] !== '"') return undefined;
      const name = JSON.parse(string()) as string; // decodes escapes: "\u0063ardNumber" is cardNumber
      ws();
      if (json[i] !== ":") return undefined;
      i++;
      const v = value();
      if (name === key) found = v;
      ws();
      if (json[i] === ",") {
        i++;
        continue;
      }
      return json[i] === "}" ? found : undefined;
    }
  } catch {
    return undefined;
  }
}
