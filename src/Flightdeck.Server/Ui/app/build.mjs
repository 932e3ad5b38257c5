// Bundles the UI into dist/ (app.js, app.css, index.html) for the server to embed. Run by the server project's
// build when a source file is newer than the bundle; `node build.mjs --check` only type-checks.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");

// esbuild strips types without checking them; tsc does the checking.
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root], { stdio: "inherit" });
if (process.argv.includes("--check")) process.exit(0);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: { app: join(root, "src/main.ts") },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: "es2022",
  outdir: dist,
  loader: { ".css": "css" },
  logLevel: "warning",
});
copyFileSync(join(root, "src/index.html"), join(dist, "index.html"));
