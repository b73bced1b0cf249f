// Validates an XML document against an XSD with libxml2's xmllint (the reference validator banks'
// own tooling agrees with), so a generated bank file is checked against the published schema itself.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PAIN001_XSD = fileURLToPath(new URL("../fixtures/iso20022/pain.001.001.03.xsd", import.meta.url));

/** Resolves with xmllint's verdict: ok, and its messages (the line and element a failure names). */
export async function validateXml(xml: string, xsd: string): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "rampart-xsd-"));
  try {
    const file = path.join(dir, "document.xml");
    await writeFile(file, xml);
    return await new Promise((resolve, reject) => {
      execFile("xmllint", ["--noout", "--nonet", "--schema", xsd, file], (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(new Error(`xmllint could not run (install libxml2-utils): ${err.message}`));
        resolve({ ok: err === null, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
