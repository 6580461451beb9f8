/**
 * Seeded synthetic training data for the compiler's parity test and the model benchmark:
 * values in [-2, 2) with about 10 % missing (NaN, as XGBoost reads them), and labels that
 * depend non-linearly on the first two features, so trees of every depth find real splits.
 */
export function randomData(rows: number, cols: number, seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = next() < 0.1 ? Number.NaN : next() * 4 - 2;
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = x[i * cols] as number;
    const b = x[i * cols + 1] as number;
    const z = (Number.isNaN(a) ? 0.5 : a) + (Number.isNaN(b) ? -0.5 : b * b) - 1 + next();
    y[i] = z > 0 ? 1 : 0;
  }
  return { x, y };
}
