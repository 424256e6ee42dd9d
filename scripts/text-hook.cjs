// Node counterpart of esbuild's text loader, for local mode and benchmarks run from source:
// `require("./x.cedar")` returns the file's text as the module's default export.
const { readFileSync } = require("node:fs");
const TEXT_EXTENSIONS = require("../lambdas/policies/text-extensions.json");

for (const extension of TEXT_EXTENSIONS) {
  require.extensions[extension] = (module, filename) => {
    module.exports = { __esModule: true, default: readFileSync(filename, "utf8") };
  };
}
