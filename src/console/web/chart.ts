import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface Point {
  t: number;
  v: number;
}

/**
 * A time-series line over the last `spanMs`, as inline SVG (no library, nothing inline to run:
 * the page's CSP allows no inline script or style). The figure's label names the latest value
 * for screen readers.
 */
export class LineChart {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly line: SVGPolylineElement;
  private readonly caption: HTMLElement;
  private readonly maxLabel: SVGTextElement;

  constructor(
    private readonly title: string,
    private readonly unit: string,
    private readonly spanMs = 5 * 60_000,
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('viewBox', '0 0 300 100');
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.setAttribute('class', 'chart');
    this.svg.setAttribute('role', 'img');
    this.line = document.createElementNS(SVG, 'polyline');
    this.maxLabel = document.createElementNS(SVG, 'text');
    this.maxLabel.setAttribute('x', '2');
    this.maxLabel.setAttribute('y', '10');
    this.svg.append(this.line, this.maxLabel);
    this.caption = h('figcaption', {}, title);
    this.element = h('figure', { class: 'chart-box' }, this.caption, this.svg);
  }

  draw(points: readonly Point[], now = Date.now()): void {
    const from = now - this.spanMs;
    const shown = points.filter((p) => p.t >= from && Number.isFinite(p.v));
    const max = Math.max(1, ...shown.map((p) => p.v));
    this.line.setAttribute('points', shown.map((p) => `${(((p.t - from) / this.spanMs) * 300).toFixed(1)},${(98 - (p.v / max) * 88).toFixed(1)}`).join(' '));
    this.maxLabel.textContent = `${fmt(max)} ${this.unit}`;
    const last = shown.at(-1);
    const latest = last ? `${fmt(last.v)} ${this.unit}` : 'no data yet';
    this.svg.setAttribute('aria-label', `${this.title}: ${latest}`);
    this.svg.dataset.points = String(shown.length);
    this.caption.textContent = `${this.title}: ${latest}`;
  }
}

function fmt(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1);
}
