/**
 * A small seeded PRNG (mulberry32). Math.random cannot be seeded, and repeatable runs need the
 * same shuffles, splits and augmentations for the same seed.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(array: T, random: Random): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** Uniform in [-range, range]. */
export function symmetric(random: Random, range: number): number {
  return (random() * 2 - 1) * range;
}
