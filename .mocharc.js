// Mocha runs the TypeScript sources directly (transpile only; `npm run typecheck` does the type checking).
module.exports = {
  require: ["ts-node/register/transpile-only"],
  extension: ["ts"],
  spec: ["test/**/*.test.ts"],
  reporter: "test/support/summaryReporter.js",
  timeout: 60000,
};
