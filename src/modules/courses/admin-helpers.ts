import type { z } from "zod";
import { memberActor } from "../../platform/actor.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { runOperation, type Operation } from "../../platform/operations.ts";
import { staffActorOf } from "../staff/index.ts";
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

/** Runs a courses operation as the signed-in staff member (the creator's screens). */
export async function runAsStaff<S extends z.ZodType, R, P>(c: AppContext, op: Operation<S, R, P>, input: unknown) {
  return runOperation(c.var.services, op, await staffActorOf(c), input);
}

/** Runs a courses operation as the signed-in member (a student's own progress); 401 without a session. */
export async function runAsMember<S extends z.ZodType, R, P>(c: AppContext, op: Operation<S, R, P>, input: unknown) {
  const session = c.var.memberSession;
  if (!session) throw new AppError("unauthenticated", 401);
  return runOperation(c.var.services, op, memberActor(session.subjectId), input);
}
