import { z } from "zod";
import type { Actor } from "../../../platform/actor.ts";
import type { FormData } from "../../../platform/http/forms.ts";

/** What the courses operations share: id fields, the member check, a form carried as it came. */

export const idField = () => z.string({ error: "validation.required" }).regex(/^[0-9a-f-]{36}$/, "validation.invalid");

/** A form value that may be repeated: the first string. */
const one = z.preprocess((v) => (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")), z.string());
export const directionField = () => one.pipe(z.enum(["up", "down"], { error: "validation.invalid" }));

/** The raw submitted form, for inputs read against stored rows (quiz answers name questions of this quiz). */
export const formField = () => z.custom<FormData>((v) => typeof v === "object" && v !== null, "validation.invalid");

/** A student acting on their own progress: a member, and only as themselves. */
export const isMember = (actor: Actor): actor is Extract<Actor, { kind: "member" }> => actor.kind === "member";
