/**
 * Tip-ladder arm labels in words. The agents label arms tersely on the wire (`2:0.15`: size
 * class 2, tip 15 % of the expected profit; `jito 0.15`; `direct 1.5×p95`): the page spells
 * them out, with the size classes of src/agent/types.ts (`sizeBucket`).
 */
const SIZE_CLASSES = [
  'tiny (< 0.0001 SOL)',
  'small (< 0.001 SOL)',
  'medium (< 0.01 SOL)',
  'large (≥ 0.01 SOL)',
] as const;

const percent = (share: string) => `${Number((Number(share) * 100).toPrecision(3))} %`;

/** The arm's words; a label of an unknown shape is shown as it came. */
export function armLabel(label: string): string {
  const bucketed = /^(\d+):(.+)$/.exec(label);
  if (bucketed) {
    const size = SIZE_CLASSES[Number(bucketed[1])] ?? `size class ${bucketed[1]}`;
    return `${armLabel(bucketed[2] ?? '')}, ${size}`;
  }
  if (/^\d*\.?\d+$/.test(label)) return `tip ${percent(label)} of profit`;
  const jito = /^jito (\d*\.?\d+)$/.exec(label);
  if (jito) return `Jito, tip ${percent(jito[1] ?? '')} of profit`;
  const direct = /^direct (\d*\.?\d+)×p95$/.exec(label);
  if (direct) return `direct, fee ${direct[1]}× the p95 priority fee`;
  return label;
}

/** A short form for a chart's axis: `15 % S` (tiny, small, medium, large), `Jito 15 %`. */
export function armTick(label: string): string {
  const bucketed = /^(\d+):(.+)$/.exec(label);
  if (bucketed) {
    const size = (SIZE_CLASSES[Number(bucketed[1])] ?? '?').slice(0, 1).toUpperCase();
    return `${armTick(bucketed[2] ?? '')} ${size}`;
  }
  if (/^\d*\.?\d+$/.test(label)) return percent(label);
  const jito = /^jito (\d*\.?\d+)$/.exec(label);
  if (jito) return `Jito ${percent(jito[1] ?? '')}`;
  const direct = /^direct (\d*\.?\d+)×p95$/.exec(label);
  if (direct) return `direct ${direct[1]}×`;
  return label;
}
