/**
 * Bars drawn on the server as SVG: no script, no inline style (the CSP
 * forbids both); colours come from classes in app.css. Accessible: the
 * picture is an image with a title and a description listing every value,
 * and each bar has its own title (a tooltip on hover).
 */
export interface Bar {
  /** Short label under the bar ("1 déc."). */
  label: string;
  value: number;
  /** The value as people read it ("12", "45,00 €"). */
  text: string;
}

export function BarChart({ id, title, bars }: { id: string; title: string; bars: Bar[] }) {
  const width = 960;
  const height = 260;
  // Room above the tallest bar for its value, and at the sides for the first and last labels.
  const top = 44;
  const bottom = 34;
  const padX = 24;
  const plot = height - top - bottom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = (width - 2 * padX) / Math.max(1, bars.length);
  const barWidth = Math.round(slot * 0.62);
  const desc = bars.map((b) => `${b.label}: ${b.text}`).join(", ");
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      class="bars"
      preserveAspectRatio="xMidYMid meet"
      data-chart={id}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      <line class="axis" x1="0" x2={width} y1={top + plot + 0.5} y2={top + plot + 0.5} />
      {bars.map((b, i) => {
        const h = b.value <= 0 ? 0 : Math.max(3, Math.round((b.value / max) * plot));
        const x = Math.round(padX + i * slot + (slot - barWidth) / 2);
        const y = top + plot - h;
        const current = i === bars.length - 1;
        return (
          <g class={i % 2 === 1 ? "wk odd" : "wk"}>
            <rect class={current ? "bar current" : "bar"} x={x} y={y} width={barWidth} height={h} rx="3">
              <title>{`${b.label}: ${b.text}`}</title>
            </rect>
            <text class="val" x={x + barWidth / 2} y={y - 6} text-anchor="middle">
              {b.value > 0 ? b.text : ""}
            </text>
            <text class="lbl" x={x + barWidth / 2} y={height - 8} text-anchor="middle">
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
