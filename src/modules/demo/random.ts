/* Seeded randomness for the demo: the same seed gives the same members, ids and histories. */
/** mulberry32: small, fast, good enough for fake data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

const byteHex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A UUIDv7 for a given instant with PRNG bits, so ids sort like the history they describe. */
export function uuidv7At(ms: number, rng: Rng): string {
  const t = Math.floor(ms);
  const hi = Math.floor(t / 0x1000000);
  const lo = t % 0x1000000;
  const a = (rng() * 0x100000000) >>> 0;
  const b = (rng() * 0x100000000) >>> 0;
  const c = (rng() * 0x100000000) >>> 0;
  return (
    byteHex[(hi >>> 16) & 0xff]! +
    byteHex[(hi >>> 8) & 0xff]! +
    byteHex[hi & 0xff]! +
    byteHex[(lo >>> 16) & 0xff]! +
    "-" +
    byteHex[(lo >>> 8) & 0xff]! +
    byteHex[lo & 0xff]! +
    "-7" +
    byteHex[(a >>> 24) & 0x0f]!.slice(1) +
    byteHex[(a >>> 16) & 0xff]! +
    "-" +
    byteHex[0x80 | ((a >>> 8) & 0x3f)]! +
    byteHex[a & 0xff]! +
    "-" +
    byteHex[(b >>> 24) & 0xff]! +
    byteHex[(b >>> 16) & 0xff]! +
    byteHex[(b >>> 8) & 0xff]! +
    byteHex[b & 0xff]! +
    byteHex[(c >>> 8) & 0xff]! +
    byteHex[c & 0xff]!
  );
}

export function weighted<T extends string>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[0]![0];
}
