/** @jsxImportSource #html-jsx */
import { assetUrl } from "../../platform/views/assets.ts";

/**
 * The courses stylesheet in a page's <head>, on the string JSX runtime: every course page has it, and
 * through Hono's runtime this one element cost as much as the rest of the head (its <link> handling).
 */
export function coursesHead() {
  return <link rel="stylesheet" href={assetUrl("courses.css")} />;
}
