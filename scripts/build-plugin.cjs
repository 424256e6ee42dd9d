// `npm run build:plugin`: bundles the Claude Code plugin's two programs with esbuild into
// claude-plugin/dist/, so plain `node` runs them with no checkout and no node_modules:
// gates-hook.js (the PreToolUse hook) and gates-mcp.js (the MCP gateway of its .mcp.json).
const { join } = require("node:path");
const esbuild = require("esbuild");

const ROOT = join(__dirname, "..");

/** Builds both bundles into `outDir` (default claude-plugin/dist) and returns their paths. */
async function buildPlugin(outDir = join(ROOT, "claude-plugin", "dist")) {
  const common = {
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    logLevel: "warning",
  };
  const hook = join(outDir, "gates-hook.js");
  const gateway = join(outDir, "gates-mcp.js");
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(ROOT, "hook", "main.ts")], outfile: hook }),
    esbuild.build({ ...common, entryPoints: [join(ROOT, "mcp", "main.ts")], outfile: gateway }),
  ]);
  return { hook, gateway };
}

module.exports = { buildPlugin };

if (require.main === module) {
  buildPlugin(process.argv[2]).then(
    ({ hook, gateway }) => console.log(`built ${hook}\nbuilt ${gateway}`),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
