#!/usr/bin/env node
// Runs the CLI from the build `npm install` made of src/ (scripts/build.mjs) while src/ is as it was
// built; after an edit since, from the TypeScript sources through tsx (Node 20 has no type stripping).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { currentBuild } from "../scripts/build.mjs";

const compiled = currentBuild(path.resolve(import.meta.dirname, ".."));
if (compiled) {
  // The build's inline source maps: stack traces name the .ts lines, as under tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main/cli.ts");
}
