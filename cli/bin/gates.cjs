#!/usr/bin/env node
// The `gates` command of a checkout runs from TypeScript source: tsx compiles on the fly, and the
// text hook lets the built-in .cedar policies load as strings for `gates dev`, as under `npm start`.
// The npm package is built JavaScript instead (npm run build:packages).
require("tsx/cjs");
require("../../scripts/text-hook.cjs");
require("../main.ts").main({ localControlPlane: () => require("../../local/local-control-plane.ts") });
