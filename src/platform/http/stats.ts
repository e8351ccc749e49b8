/**
 * Counters a module lets an operator (and the benchmarks) read on /healthz:
 * how much of its traffic a cache answered. Registered by name when the
 * module's routes are mounted; read only, never reset.
 */
const sources = new Map<string, () => Record<string, number>>();

export function registerStats(name: string, read: () => Record<string, number>): void {
  sources.set(name, read);
}

export function readStats(): Record<string, Record<string, number>> {
  return Object.fromEntries([...sources].map(([name, read]) => [name, read()]));
}
