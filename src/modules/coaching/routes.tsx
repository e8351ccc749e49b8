import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";

export function coachingRoutes(_app: Hono<AppEnv>): void {}
