/**
 * Seeded randomness for the simulator: xoshiro128** 1.1 (Blackman & Vigna), seeded through
 * splitmix64. Every subsystem draws from its own named stream, forked from the run's seed
 * and the stream's path, so adding a rival or a token never shifts another stream: the price
 * path of seed 7 is the same with 3 rivals or 30.
 */
const MASK64 = (1n << 64n) - 1n;

/** One step of splitmix64 (reference constants); returns [output, next state]. */
export function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [z ^ (z >> 31n), next];
}

/** FNV-1a, 64 bit: turns a stream path into seed material. */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Prefer `Rng.stream`; this takes a raw xoshiro128** state (not all zero). */
  constructor(
    state: readonly [number, number, number, number],
    private readonly seed: bigint = 0n,
    private readonly path: string = '',
  ) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w | 0) as [
      number,
      number,
      number,
      number,
    ];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** The stream named `path` of the run seeded with `seed`. */
  static stream(seed: number | bigint, path: string): Rng {
    const root = BigInt.asUintN(64, BigInt(seed));
    const [a, st1] = splitmix64(root ^ fnv1a64(path));
    const [b] = splitmix64(st1);
    const words = [
      Number(a & 0xffffffffn),
      Number(a >> 32n),
      Number(b & 0xffffffffn),
      Number(b >> 32n),
    ];
    return new Rng(words as [number, number, number, number], root, path);
  }

  /** A child stream; depends only on the seed and the path, never on draws made so far. */
  fork(name: string): Rng {
    return Rng.stream(this.seed, this.path === '' ? name : `${this.path}/${name}`);
  }

  /** Next 32-bit output, unsigned. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box–Muller; no cached second value, so every call costs two draws). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Pareto (type I): heavy tail, P(X > x) = (min / x)^alpha for x ≥ min. */
  pareto(min: number, alpha: number): number {
    return min / (1 - this.float()) ** (1 / alpha);
  }

  /** Log-normal given its median and the standard deviation of its log. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson count (Knuth); meant for small means such as jumps per step. */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }
}
