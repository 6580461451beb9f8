/**
 * Exact one-sided binomial tails: how likely `bad` or more (or `bad` or fewer) bad events of
 * `n` are when each is bad with probability `p`. The guard's small-sample test uses them: a
 * module exactly at its trip line `p` shows `bad` of `n` or worse with probability
 * `atLeast(bad, n, p)`; when that is under 1 − confidence the window is conclusively past the
 * line. This is the Clopper–Pearson (Beta) bound read as a test, so it is exact at any `n` —
 * unlike a normal or Wilson approximation, which would call 1 bad of 1 conclusive against a
 * 10 % line. Computed in log space, so large `n` neither underflows nor overflows; O(n).
 */
export function atLeast(bad: number, n: number, p: number): number {
  if (bad <= 0) return 1;
  if (bad > n) return 0;
  return sumTerms(bad, n, n, p);
}

/** P(X ≤ bad) for X ~ Binomial(n, p). */
export function atMost(bad: number, n: number, p: number): number {
  if (bad >= n) return 1;
  if (bad < 0) return 0;
  return sumTerms(0, bad, n, p);
}

/** Σ P(X = i) for i in [from, to], by log-sum-exp over the log pmf. */
function sumTerms(from: number, to: number, n: number, p: number): number {
  if (p <= 0) return from === 0 ? 1 : 0;
  if (p >= 1) return to === n ? 1 : 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  // log pmf(0), then pmf(i+1) = pmf(i) · (n − i)/(i + 1) · p/q.
  let log = n * logQ;
  const terms: number[] = [];
  for (let i = 0; i <= to; i++) {
    if (i >= from) terms.push(log);
    log += Math.log(n - i) - Math.log(i + 1) + logP - logQ;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const t of terms) if (t > max) max = t;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return Math.min(1, Math.exp(max) * sum);
}
