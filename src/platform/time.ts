/**
 * The one source of "now". Code that depends on time takes a `Clock` (services
 * carry one as `services.clock`), so tests set or advance time instead of
 * sleeping. `systemClock` reads the machine's clock; `testClock()` starts at a
 * fixed instant and moves only when told.
 */
export interface Clock {
  now(): Date;
  /** Milliseconds since the epoch, like Date.now(). */
  nowMs(): number;
  /** ISO-8601 UTC, the form every time column stores. */
  nowIso(): string;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
  nowIso: () => new Date().toISOString(),
};

export interface TestClock extends Clock {
  /** Jumps to an instant. */
  set(at: Date | string | number): void;
  /** Moves forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** A clock that stands still until set or advanced (tests). */
export function testClock(start: Date | string | number = "2026-01-15T09:00:00.000Z"): TestClock {
  let ms = new Date(start).getTime();
  return {
    now: () => new Date(ms),
    nowMs: () => ms,
    nowIso: () => new Date(ms).toISOString(),
    set(at) {
      ms = new Date(at).getTime();
    },
    advance(delta) {
      ms += delta;
    },
  };
}
