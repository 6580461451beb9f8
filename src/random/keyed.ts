import { Rng } from './rng.js';

/**
 * Counter-based randomness for common random numbers: the draws for one key (an auction tick,
 * a submission, a rival's look at one opportunity) come from a stream that depends only on the
 * run's seed, a family path and that key, never on how many other keys were drawn before. Two
 * policies run on the same seed therefore face the same market wherever their actions do not
 * change it: an extra submission cannot shift the draws of any other.
 *
 * `Rng.stream(seed, path)` already has that property, but derives the stream with 64-bit
 * BigInt arithmetic (about 9 µs a key); these keys are drawn tens of thousands of times per
 * simulated hour, so the derivation here stays in 32-bit integer arithmetic (about 0.2 µs for
 * a numeric key, about 1 µs for a submission's text key, measured here).
 * Each key yields an ordinary `Rng`, so every distribution is the one the simulator already
 * used: only which stream a draw comes from changes.
 */
export class KeyedStreams {
  private readonly a: number;
  private readonly b: number;

  constructor(seed: number, path: string) {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`keyed streams: seed must be a non-negative safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    // Two 32-bit lanes, each from the whole seed: a 64-bit family hash.
    this.a = fnv(path, mix32(lo ^ mix32(hi ^ 0x243f6a88)) ^ 0x811c9dc5);
    this.b = fnv(path, mix32(hi ^ mix32(lo ^ 0x85a308d3)) ^ 0x2b992ddf);
  }

  /** The stream for `key`; the same key always gives the same stream. */
  at(key: string | number): Rng {
    let a: number;
    let b: number;
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key) || key < 0)
        throw new RangeError(`keyed streams: a numeric key must be a safe integer ≥ 0, got ${key}`);
      const lo = key >>> 0;
      const hi = Math.floor(key / 0x1_0000_0000) >>> 0;
      a = mix32(this.a ^ mix32(lo + 0x9e3779b9));
      b = mix32(this.b ^ mix32(hi ^ mix32(lo ^ 0x7f4a7c15)));
    } else {
      // Lanes start from a tweaked family hash, so a text key and a numeric key stay apart.
      a = mix32(fnv(key, Math.imul(this.a ^ 0x2f, 0x01000193)));
      b = mix32(fnv(key, Math.imul(this.b ^ 0x5c, 0x01000193)) ^ key.length);
    }
    // Four state words, each from both lanes: xoshiro's first output reads one word only, so a
    // word that saw one lane would repeat across keys (or seeds) that share that lane.
    const words: [number, number, number, number] = [
      mix32(a ^ mix32(b + 0x9e3779b9)),
      mix32(b ^ mix32(a + 0x3c6ef372)),
      mix32((a + 0xdaa66d2b) ^ mix32(b ^ 0x78dde6e4)),
      mix32(Math.imul(a, 0x85ebca6b) ^ mix32(b + 0x1b873593)),
    ];
    return new Rng(words);
  }
}

/** FNV-1a over UTF-16 code units, 32 bit, from `basis`. */
function fnv(text: string, basis: number): number {
  let h = basis | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A 32-bit finaliser with full avalanche ("lowbias32", C. Wellons' hash prospector). */
export function mix32(x: number): number {
  let z = x | 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x7feb352d);
  z ^= z >>> 15;
  z = Math.imul(z, 0x846ca68b);
  z ^= z >>> 16;
  return z >>> 0;
}
