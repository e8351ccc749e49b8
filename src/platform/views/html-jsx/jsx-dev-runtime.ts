// The development entry of the same runtime (esbuild and tsx may ask for it).
export { Fragment, jsxDEV, type JSX } from "./jsx-runtime.ts";
