// Lint errors fail `npm test`; warnings are not used (they would be ignored).
import tseslint from "typescript-eslint";

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
);
