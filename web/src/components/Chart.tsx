import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  readonly label: string;
  readonly color: string;
  readonly dash?: number[];
  /** Draw as bars (categorical x) instead of a line. */
  readonly bars?: boolean;
  readonly scale?: string;
}

export interface ChartProps {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly Line[];
  /** uPlot data: x values, then one column per line (null where a line has no point). */
  readonly data: uPlot.AlignedData;
  /** x is time in seconds (default) or a category index. */
  readonly xKind?: 'time' | 'category';
  readonly categories?: readonly string[];
  /** Longer names of the categories, for the legend (default: `categories`). */
  readonly categoryNames?: readonly string[];
  readonly testId: string;
  /** One or two sentences under the title: what the chart shows and how to read it. */
  readonly explain?: string;
}

/**
 * A uPlot chart that follows its data. The plot is rebuilt only when its lines change (a new
 * agent appears); new points go through `setData`, which is what keeps 1 Hz updates cheap.
 * Away from the cursor the legend shows each line's latest value (uPlot's own shows `--`).
 */
export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Rebuilt when the lines or the categories change (the arms of a new ladder).
  const shape = [...props.lines.map((l) => l.label), ...(props.categories ?? [])].join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const categories = props.categories ?? [];
    const names = props.categoryNames ?? categories;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 180,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        setCursor: [
          (u) => {
            if ((u.cursor.left ?? -1) < 0) showLatest(u);
          },
        ],
      },
      scales: {
        x: { time: props.xKind !== 'category' },
        ...(props.lines.some((l) => l.scale === 'r') ? { r: { auto: true } } : {}),
      },
      axes: [
        props.xKind === 'category'
          ? {
              // One tick per category (every k-th when there are many: names are long), labelled with it.
              splits: () => {
                const k = Math.max(1, Math.ceil(categories.length / 5));
                return categories.map((_, i) => i).filter((i) => i % k === 0);
              },
              values: (_u, ticks) => ticks.map((t) => categories[t] ?? ''),
              stroke: '#9aa4b2',
            }
          : { stroke: '#9aa4b2' },
        { label: props.unit, stroke: '#9aa4b2', size: 60, values: (_u, ticks) => ticks.map(tick) },
        ...(props.lines.some((l) => l.scale === 'r')
          ? [
              {
                side: 1,
                scale: 'r',
                stroke: '#9aa4b2',
                grid: { show: false },
                values: (_u: uPlot, ticks: number[]) => ticks.map(tick),
              } as uPlot.Axis,
            ]
          : []),
      ],
      series: [
        // The x value in the legend: the category's name, or uPlot's date and time.
        props.xKind === 'category'
          ? { value: (_u: uPlot, v: number | null) => (v === null ? '–' : (names[v] ?? '')) }
          : {},
        ...props.lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 2,
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : tick(v)),
          ...(l.dash ? { dash: l.dash } : {}),
          ...(l.scale ? { scale: l.scale } : {}),
          ...(l.bars && bars ? { paths: bars, fill: `${l.color}88`, points: { show: false } } : {}),
        })),
      ],
    };
    const u = new uPlot(opts, props.data, el);
    plot.current = u;
    showLatest(u);
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(280, el.clientWidth), height: 180 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, props.xKind]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(props.data);
    if ((u.cursor.left ?? -1) < 0) showLatest(u);
  }, [props.data]);

  return (
    <section class="card chart" data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.explain ? <p class="explain">{props.explain}</p> : null}
      <div ref={host} />
    </section>
  );
}

/** Legend values at each line's last point (lines of joined agents end at different times). */
function showLatest(u: uPlot): void {
  const idxs = u.data.map((column, i) => {
    if (i === 0) return column.length > 0 ? column.length - 1 : null;
    for (let j = column.length - 1; j >= 0; j--) if (column[j] != null) return j;
    return null;
  });
  if (idxs[0] !== null) u.setLegend({ idxs }, false);
}

/** Axis numbers that stay readable from 1e-6 SOL to thousands of ms. */
function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/**
 * Joins per-agent columns on one time axis (uPlot needs one x for all lines): the union of
 * their timestamps, with null where an agent has no point (or a NaN one) at that time.
 */
export function joinOnTime(
  columns: ReadonlyArray<{ t: readonly number[]; y: readonly number[] }>,
): uPlot.AlignedData {
  const xs = [...new Set(columns.flatMap((c) => c.t))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = columns.map((c) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    c.t.forEach((t, i) => {
      // NaN is a point with no value (e.g. a windowed rate over no outcomes): a gap.
      const y = c.y[i];
      out[index.get(t) ?? 0] = y !== undefined && Number.isFinite(y) ? y : null;
    });
    return out;
  });
  return [xs, ...ys];
}
