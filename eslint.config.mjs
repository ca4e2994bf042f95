// ESLint (flat config): JavaScript's recommended rules and typescript-eslint's, without type information (fast
// enough to run on every CI run; `npm run typecheck` is the type check). Prettier owns formatting.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".tools/**", "**/*.d.ts", "tools/pulumi/**", "tools/actionlint/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { require: "readonly", module: "writable", exports: "writable", process: "readonly", console: "readonly", __dirname: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setImmediate: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", fetch: "readonly", performance: "readonly", AbortController: "readonly", AbortSignal: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", NodeJS: "readonly" } },
    rules: {
      // Unused arguments named _x document a signature the caller fixes (Pulumi's provider interface).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // require() on purpose: plain CommonJS scripts; CLI commands and the provider runtime load their work (and the
    // SDKs) only when it runs; the shims stored in Pulumi state load the package at run time.
    files: ["**/*.js", "**/*.cjs", "cli/commands/*.ts", "cli/context.ts", "cli/demo/*.ts", "provider/shim.ts", "provider/image/shim.ts", "provider/runtime.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Pulumi's generated gRPC stubs ship without types.
    files: ["cli/demo/pluginHost.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests read loosely typed JSON (workflows, API answers) and poke at internals.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
