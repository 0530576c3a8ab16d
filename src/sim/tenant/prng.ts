/** Small seeded PRNG (mulberry32): the generator and the sim must be reproducible from a seed. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A GUID-shaped lowercase id (version-4 layout), drawn from this generator. */
  guid(): string;
  shuffle<T>(items: T[]): T[];
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => u32() / 4294967296;
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    guid() {
      const a1 = u32();
      const b = u32();
      const c = u32();
      const d = u32();
      const s = hex(a1, 8) + hex(b, 8) + hex(c, 8) + hex(d, 8);
      const variant = ((parseInt(s[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = t;
      }
      return items;
    },
  };
}
