// Builds the widget into dist/: one script (socket.io-client bundled in, nothing fetched
// from elsewhere at run time) and the two style sheets. Run by `make install`.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src", "widget.js")],
  outfile: join(dist, "widget.js"),
  bundle: true,
  format: "iife",
  target: ["es2019"],
  minify: true,
  legalComments: "inline",
  logLevel: "warning",
});
for (const name of ["widget.css", "demo.css"]) copyFileSync(join(here, "src", name), join(dist, name));
