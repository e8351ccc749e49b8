import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Params } from "../i18n/index.ts";

/** One field's problem: an i18n key plus its parameters. */
export interface FieldError {
  key: string;
  params?: Params;
}

/**
 * The one error vocabulary: a stable `code` (tests assert it, API clients
 * read it), an HTTP status, and an i18n key for the message shown to people.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: ContentfulStatusCode,
    readonly messageKey: string = `error.${code}`,
    readonly fields: Record<string, FieldError> = {},
    readonly params?: Params,
  ) {
    super(`${code}: ${messageKey}`);
  }
}

export const notFound = () => new AppError("not_found", 404);
export const forbidden = () => new AppError("forbidden", 403);
export const unauthenticated = () => new AppError("unauthenticated", 401);
export const rateLimited = () => new AppError("rate_limited", 429);
export const conflict = (messageKey = "error.conflict") => new AppError("conflict", 409, messageKey);
export const invalidInput = (fields: Record<string, FieldError>, messageKey = "error.invalid_input") =>
  new AppError("invalid_input", 422, messageKey, fields);
