/**
 * The part of d3-node (and of the d3 it carries) that the HTML report's charts
 * use. d3-node ships no types; these describe its documented API
 * (README: `new D3Node()`, `.d3`, `.d3Element`) and d3 v7's selections,
 * scales and axes as called in src/report/html/charts/.
 */
declare module 'd3-node' {
  type AttrValue = string | number | null;

  export interface Selection {
    append(tag: string): Selection;
    attr(name: string, value: AttrValue): Selection;
    text(value: string): Selection;
    call(fn: (sel: Selection) => unknown): Selection;
    selectAll(selector: string): Selection;
    remove(): Selection;
    node(): { outerHTML: string } | null;
  }

  export interface Scale {
    (value: number): number;
    domain(values: number[]): Scale;
    range(values: number[]): Scale;
    nice(count?: number): Scale;
    clamp(on: boolean): Scale;
    ticks(count?: number): number[];
    tickFormat(count?: number, specifier?: string): (value: number) => string;
  }

  export interface Axis {
    (sel: Selection): void;
    ticks(count: number, specifier?: string): Axis;
    tickValues(values: number[]): Axis;
    tickFormat(format: (value: number) => string): Axis;
    tickSize(size: number): Axis;
    tickSizeOuter(size: number): Axis;
  }

  export interface D3 {
    scaleLinear(): Scale;
    scaleLog(): Scale;
    axisBottom(scale: Scale): Axis;
    axisLeft(scale: Scale): Axis;
    axisRight(scale: Scale): Axis;
    format(specifier: string): (value: number) => string;
  }

  export class D3Node {
    constructor(options?: { styles?: string });
    readonly d3: D3;
    readonly d3Element: Selection;
    svgString(): string;
  }
}
