/**
 * Shared drawing helpers for the d3-node charts: one jsdom document per
 * rendering pass (creating one costs more than most charts), an SVG per chart
 * serialised on its own, legends, and label hygiene. Colours are SVG
 * presentation attributes, not style attributes, so the page's CSP needs no
 * 'unsafe-inline' for styles.
 */
import { D3Node, type D3, type Selection } from 'd3-node';
import { visible } from '../escape.js';
import type { VerdictKey } from './models.js';

export const VERDICT_COLOURS: Record<VerdictKey, string> = {
  documented: '#2a7f3e',
  misdirected: '#c4262e',
  undocumented: '#e07b00',
  unclassified: '#7a7a7a',
  none: '#5b7fa6',
};

export const VERDICT_LABELS: Record<VerdictKey, string> = {
  documented: 'documented',
  misdirected: 'misdirected',
  undocumented: 'undocumented',
  unclassified: 'unclassified (not TCP/UDP)',
  none: 'flows (no verdicts in this report)',
};

/** Longest label drawn in a chart. */
const MAX_LABEL_CHARS = 60;

/**
 * A label for a chart: control characters made visible and cut to length.
 * d3 sets it as a text node and jsdom's serialiser escapes it, so markup in
 * a label stays text.
 */
export function label(s: string, max = MAX_LABEL_CHARS): string {
  const v = visible(s);
  return v.length > max ? `${v.slice(0, max - 1)}\u2026` : v;
}

export class Canvas {
  private readonly d3n = new D3Node();
  readonly d3: D3 = this.d3n.d3;

  /** A new SVG of the given size with a title and an accessible description. */
  svg(width: number, height: number, title: string, description: string): Selection {
    const svg = this.d3n.d3Element.append('svg')
      .attr('class', 'chart')
      .attr('viewBox', `0 0 ${width} ${height}`)
      .attr('width', width)
      .attr('height', height)
      .attr('role', 'img');
    svg.append('title').text(label(title, 160));
    svg.append('desc').text(visible(description));
    svg.append('text').attr('class', 'title').attr('x', 4).attr('y', 15).text(label(title, 160));
    return svg;
  }

  /** The SVG's markup; the SVG is removed from the document afterwards. */
  finish(svg: Selection): string {
    const markup = svg.node()?.outerHTML ?? '';
    svg.remove();
    return markup;
  }
}

/** A horizontal legend of coloured squares, starting at (x, y). Returns its height. */
export function legend(parent: Selection, x: number, y: number, items: readonly { colour: string; text: string }[], maxWidth: number): number {
  const g = parent.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  let cx = 0;
  let cy = 0;
  for (const item of items) {
    const w = 18 + item.text.length * 6.2 + 14;
    if (cx > 0 && cx + w > maxWidth) { cx = 0; cy += 16; }
    g.append('rect').attr('x', cx).attr('y', cy).attr('width', 11).attr('height', 11).attr('fill', item.colour);
    g.append('text').attr('x', cx + 15).attr('y', cy + 10).text(label(item.text));
    cx += w;
  }
  return cy + 16;
}

export function verdictLegend(parent: Selection, x: number, y: number, verdicts: readonly VerdictKey[], maxWidth: number): number {
  return legend(parent, x, y, verdicts.map((v) => ({ colour: VERDICT_COLOURS[v], text: VERDICT_LABELS[v] })), maxWidth);
}
