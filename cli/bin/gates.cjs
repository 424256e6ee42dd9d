#!/usr/bin/env node
// The `gates` command runs from TypeScript source: tsx compiles on the fly, and the text hook
// lets the built-in .cedar policies load as strings, as they do under `npm start`.
require("tsx/cjs");
require("../../scripts/text-hook.cjs");
require("../main.ts").main();
