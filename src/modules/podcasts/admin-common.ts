import type { AppContext } from "../../platform/http/context.ts";
import type { FormFields } from "../../platform/http/body.ts";
import { AppError } from "../../platform/http/errors.ts";
import type { Errors } from "../../platform/views/components.tsx";
import { staffActor } from "../../platform/actor.ts";
import { currentStaff } from "../staff/index.ts";

/*
 * What the creator's podcast screens share: the form paths (their body limits and file rules are
 * registered in admin.tsx), the acting staff member, and how a refused save becomes a form again.
 */

export const SHOW_SAVE_PATH = "/admin/podcasts/show-save";
export const EPISODE_SAVE_PATH = "/admin/podcasts/episode-save";

export async function staffActorOf(c: AppContext) {
  const user = await currentStaff(c);
  return staffActor(user.id, user.role);
}

export const str = (f: FormFields, k: string) => {
  const v = f[k];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
};

export function problem(err: unknown): { errors: Errors; message: string | null } | null {
  if (!(err instanceof AppError) || err.status >= 500 || err.status === 404 || err.status === 403 || err.status === 401)
    return null;
  return { errors: err.fields, message: Object.keys(err.fields).length ? null : err.messageKey };
}
