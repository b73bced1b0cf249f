// Files (receipts, KYC documents) on local disk under the data dir, behind the FileStorage port so
// S3 can plug in later. Keys are validated so they can never escape the base directory.
import fs from "node:fs/promises";
import path from "node:path";
import type { FileStorage } from "../../app/ports.js";

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,120}){0,4}$/;

export function createLocalDiskStorage(baseDir: string): FileStorage {
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes("..")) throw new Error(`invalid storage key: ${key}`);
    return path.join(baseDir, key);
  };
  return {
    name: "local-disk",
    async put(key, data, contentType) {
      const file = resolve(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, data);
      await fs.writeFile(`${file}.meta.json`, JSON.stringify({ contentType }));
    },
    async get(key) {
      const file = resolve(key);
      try {
        const [data, meta] = await Promise.all([fs.readFile(file), fs.readFile(`${file}.meta.json`, "utf8")]);
        return { data, contentType: (JSON.parse(meta) as { contentType: string }).contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async delete(key) {
      const file = resolve(key);
      await Promise.all([fs.rm(file, { force: true }), fs.rm(`${file}.meta.json`, { force: true })]);
    },
  };
}
