import type { AppContext } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import type { Errors } from "../../platform/views/components.tsx";
import { staffActor, type Actor } from "../../platform/actor.ts";
import { currentStaff } from "../staff/index.ts";

/** What the creator's coaching screens share: who is acting, and a 422's fields to show beside the form. */

export async function actorOf(c: AppContext): Promise<Actor> {
  const s = await currentStaff(c);
  return staffActor(s.id, s.role);
}

export function fieldsOr(err: unknown): Errors {
  if (err instanceof AppError && err.status === 422 && Object.keys(err.fields).length) return err.fields;
  throw err;
}
