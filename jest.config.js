/** Three projects: pure unit tests, tests against DynamoDB Local, and CDK template assertions. */
const transform = {
  "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  "^.+\\.cedar$": "<rootDir>/scripts/jest-text-transform.cjs",
};
const moduleFileExtensions = ["ts", "js", "json", "cedar"];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"], transform, moduleFileExtensions },
    {
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      transform,
      moduleFileExtensions,
    },
    { displayName: "cdk", testMatch: ["<rootDir>/test/cdk/**/*.test.ts"], transform, moduleFileExtensions },
  ],
};
