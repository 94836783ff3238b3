// The playground's plots (uPlot): the objective or ELBO trace, appended to while a run streams
// its progress, and posterior histograms with the 5 %, 50 % and 95 % marks drawn as lines.

import uPlot from 'uplot';
import type { Histogram } from './protocol.js';

export class TracePlot {
  private plot: uPlot;
  private xs: number[] = [];
  private ys: number[] = [];
  constructor(
    private parent: HTMLElement,
    label: string,
  ) {
    this.plot = this.make(label);
  }
  private make(label: string): uPlot {
    const width = Math.max(this.parent.clientWidth, 300) - 2;
    return new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label, size: 70 }],
        series: [{ label: 'step' }, { label, stroke: '#0969da', width: 1.5, points: { show: false } }],
        legend: { show: true },
      },
      [[], []],
      this.parent,
    );
  }
  /** Starts a new trace (a new run). */
  reset(label: string): void {
    this.xs = [];
    this.ys = [];
    this.plot.destroy();
    this.plot = this.make(label);
  }
  add(points: readonly [number, number][]): void {
    for (const [x, y] of points) {
      if (!Number.isFinite(y)) continue;
      this.xs.push(x);
      this.ys.push(y);
    }
    this.plot.setData([this.xs, this.ys]);
    this.parent.dataset.points = String(this.xs.length);
  }
  get length(): number {
    return this.xs.length;
  }
}

/** One histogram as a bar chart, its quantile marks as vertical lines (dashed 5/95, solid 50). */
export function histogramPlot(parent: HTMLElement, h: Histogram): uPlot {
  const mids = h.counts.map((_, i) => (h.edges[i]! + h.edges[i + 1]!) / 2);
  const marks = [
    { x: h.q05, dash: [4, 3] },
    { x: h.q50, dash: [] },
    { x: h.q95, dash: [4, 3] },
  ];
  return new uPlot(
    {
      width: 260,
      height: 150,
      scales: { x: { time: false, range: [h.edges[0]!, h.edges[h.edges.length - 1]!] } },
      axes: [{ size: 30 }, { size: 40 }],
      legend: { show: false },
      series: [
        {},
        {
          stroke: '#0969da',
          fill: 'rgba(9,105,218,0.3)',
          paths: uPlot.paths.bars!({ size: [1, Infinity] }),
          points: { show: false },
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = '#b42318';
            ctx.lineWidth = 1.5 * devicePixelRatio;
            for (const m of marks) {
              if (!Number.isFinite(m.x)) continue;
              const px = u.valToPos(m.x, 'x', true);
              ctx.setLineDash(m.dash.map((d) => d * devicePixelRatio));
              ctx.beginPath();
              ctx.moveTo(px, u.bbox.top);
              ctx.lineTo(px, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    },
    [mids, h.counts],
    parent,
  );
}
