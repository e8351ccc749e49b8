import type { AppContext } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import type { FormData } from "../../platform/http/forms.ts";
import type { Errors } from "../../platform/views/components.tsx";
import { findCourse, type Course } from "./queries.ts";

/** What the creator typed, to put back in a form that failed (nothing typed is ever lost). */
export function stringValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (k !== "_csrf") out[k] = Array.isArray(v) ? (v[0] ?? "") : v;
  return out;
}

/** Field errors of a 422, or rethrows anything else. */
export function fieldErrors(err: unknown): Errors {
  if (err instanceof AppError && err.code === "invalid_input") return err.fields;
  throw err;
}

export async function courseParam(c: AppContext): Promise<Course> {
  const course = await findCourse(c.var.services.db, c.req.param("id") ?? "");
  if (!course) throw new AppError("not_found", 404);
  return course;
}
