/**
 * Fibonacci search: the integer form of golden-section search. It keeps two probes whose
 * spacing follows the Fibonacci numbers, so every step reuses one probe and costs one
 * evaluation (about 1.44·log2(n) in all, 58 for a domain of 10^12).
 *
 * It returns the exact maximum of any discrete-concave function (successive differences never
 * increase): such a function is flat only at its maximum, so f(x1) < f(x2) puts the maximum
 * right of x1 and f(x1) ≥ f(x2) puts it left of x2. A profit that is concave only up to
 * rounding may mislead a step by about the rounding noise; `maximise.ts` certifies the result.
 */

const FIB: readonly bigint[] = (() => {
  const out = [0n, 1n];
  while (out.length < 100) out.push((out.at(-1) as bigint) + (out.at(-2) as bigint));
  return out;
})();

const fib = (k: number): bigint => FIB[k] as bigint;

export interface Probe {
  readonly x: bigint;
  readonly value: bigint;
}

/** The input in [lo, hi] with the largest `f` (the leftmost of equals, when f is concave). */
export function fibonacciMax(f: (x: bigint) => bigint, lo: bigint, hi: bigint): Probe {
  const n = hi - lo + 1n;
  // The open interval (a, a + F(k)) holds F(k) − 1 integers: the smallest k covering [lo, hi].
  let k = 4;
  while (fib(k) - 1n < n) k++;
  let a = lo - 1n;
  let x1 = a + fib(k - 2);
  let x2 = a + fib(k - 1);
  // x1 stays inside [lo, hi]; x2 may fall past hi, where f counts as −∞.
  let v1 = f(x1);
  let v2: bigint | null = x2 <= hi ? f(x2) : null;
  while (k > 4) {
    if (v2 !== null && v1 < v2) {
      a = x1;
      x1 = x2;
      v1 = v2;
      k--;
      x2 = a + fib(k - 1);
      v2 = x2 <= hi ? f(x2) : null;
    } else {
      x2 = x1;
      v2 = v1;
      k--;
      x1 = a + fib(k - 2);
      v1 = f(x1);
    }
  }
  // (a, a + F(4)) holds the last two candidates, x1 and x2.
  return v2 !== null && v2 > v1 ? { x: x2, value: v2 } : { x: x1, value: v1 };
}
