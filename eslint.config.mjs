// ESLint flat config: typescript-eslint recommended + the house rules.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "artifacts/", "cache/", "typechain-types/", "coverage/", "dist/", ".devnet/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: ["fs", "path", "crypto", "http", "os", "child_process"] }],
    },
  },
  {
    // House rule: no console outside the CLI entry points, scripts, benches and tests.
    files: ["keeper/**/*.ts"],
    ignores: ["keeper/cli/**"],
    rules: { "no-console": "error" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
