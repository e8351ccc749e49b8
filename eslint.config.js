// Lint errors fail `npm test`; warnings are not used (they would be ignored).
import tseslint from "typescript-eslint";
import { moduleBoundaries } from "./scripts/eslint/module-boundaries.mjs";

export default tseslint.config(
  { ignores: ["node_modules", "data", "bench/results", "coverage"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "off",
    },
  },
  {
    // Module boundaries (ARCHITECTURE.md, "Modules"): bench/ may measure a module's insides.
    files: ["src/**/*.{ts,tsx}", "test/**/*.{ts,tsx}"],
    plugins: { atelier: { rules: { "module-boundaries": moduleBoundaries } } },
    rules: { "atelier/module-boundaries": "error" },
  },
);
