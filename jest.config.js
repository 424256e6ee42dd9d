/** Three projects: pure unit tests, tests against DynamoDB Local, and CDK template assertions. */
const TEXT_EXTENSIONS = require("./lambdas/policies/text-extensions.json");

const transform = {
  "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  ...Object.fromEntries(
    TEXT_EXTENSIONS.map((e) => [`^.+\\${e}$`, "<rootDir>/scripts/jest-text-transform.cjs"]),
  ),
};
const moduleFileExtensions = ["ts", "js", "json", ...TEXT_EXTENSIONS.map((e) => e.slice(1))];

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start servers and long-poll; unit tests finish far sooner.
  testTimeout: 30_000,
  projects: [
    { displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"], transform, moduleFileExtensions },
    {
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      // One DynamoDB Local per run, on a free port; each test file makes its own tables.
      globalSetup: "<rootDir>/test/integration/setup/global-setup.ts",
      globalTeardown: "<rootDir>/test/integration/setup/global-teardown.ts",
      transform,
      moduleFileExtensions,
    },
    { displayName: "cdk", testMatch: ["<rootDir>/test/cdk/**/*.test.ts"], transform, moduleFileExtensions },
  ],
};
