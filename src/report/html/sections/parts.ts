/** Small markup builders shared by the sections. Every argument that is data is escaped here or by the caller with text()/attr(). */
import { attr, text } from '../escape.js';
import { count } from '../format.js';

/** A section with an id, heading and body. `body` is markup built by the sections. */
export function section(id: string, heading: string, body: string): string {
  return `<section id="${attr(id)}">\n<h2>${text(heading)}</h2>\n${body}\n</section>\n`;
}

/** A one-line note, e.g. that a section has no data. */
export function note(s: string): string {
  return `<p class="note">${text(s)}</p>`;
}

/** A cap statement: how many items are shown and how many were left out. */
export function capNote(s: string): string {
  return `<p class="cap">${text(s)}</p>`;
}

/** The cap statement of a table that shows `shown` of `total` rows; '' when nothing was left out. */
export function rowsCap(shown: number, total: number, what: string): string {
  return shown < total ? capNote(`Showing ${count(shown)} of ${count(total)} ${what}; ${count(total - shown)} left out (all are in the JSON report).`) : '';
}

/** A badge whose class is a known keyword and whose text is data. */
export function badge(value: string, known: readonly string[]): string {
  const cls = known.includes(value) ? ` ${value}` : '';
  return `<span class="badge${cls}">${text(value)}</span>`;
}

export interface Column {
  /** Heading text. */
  head: string;
  /** Right-aligned numeric column. */
  numeric?: boolean;
}

/** The head of a table; `id` and `sortable` enable the inline script's sorting. */
export function tableStart(columns: readonly Column[], options: { id?: string; sortable?: boolean; caption?: string } = {}): string {
  const id = options.id !== undefined ? ` id="${attr(options.id)}"` : '';
  const cls = options.sortable ? ' class="sortable"' : '';
  const caption = options.caption !== undefined ? `<caption class="note">${text(options.caption)}</caption>` : '';
  const heads = columns.map((c) => `<th${c.numeric ? ' class="n"' : ''} scope="col">${text(c.head)}</th>`).join('');
  return `<table${id}${cls}>${caption}<thead><tr>${heads}</tr></thead><tbody>\n`;
}

export const TABLE_END = '</tbody></table>\n';

/** A text cell. */
export function td(value: unknown, cls?: string): string {
  return `<td${cls ? ` class="${cls}"` : ''}>${text(value)}</td>`;
}

/**
 * A numeric cell: formatted text, and the raw value for sorting when they
 * differ. A number's String() holds only digits, '.', '-', '+', 'e' or the
 * words Infinity/NaN, so it needs no escaping; `shown` is escaped.
 */
export function tdNum(n: number, shown?: string): string {
  if (shown === undefined) {
    if (n >= 0 && n < 1000 && Number.isInteger(n)) return `<td class="n">${n}</td>`;
    return `<td class="n" data-v="${n}">${count(n)}</td>`;
  }
  return `<td class="n" data-v="${n}">${text(shown)}</td>`;
}

/**
 * A filter box for table `tableId`, hidden until the inline script shows it
 * (without JavaScript there is nothing to filter with, so nothing to show).
 */
export function filterBox(tableId: string, placeholder: string, verdicts?: readonly string[]): string {
  const select = verdicts !== undefined && verdicts.length > 0
    ? `<select aria-label="verdict"><option value="">all verdicts</option>${verdicts.map((v) => `<option value="${attr(v)}">${text(v)}</option>`).join('')}</select>`
    : '';
  return `<div class="filter" data-table="${attr(tableId)}" hidden><input type="text" placeholder="${attr(placeholder)}" aria-label="${attr(placeholder)}">${select}<span class="status muted"></span></div>\n`;
}

/** A list of flow ids as links to their rows in the flow table (when shown there). */
export function flowLinks(ids: readonly number[], total: number, shownInTable: ReadonlySet<number>, max = 30): string {
  const parts = ids.slice(0, max).map((id) => (shownInTable.has(id) ? `<a href="#flow-${id}">#${id}</a>` : `#${text(id)}`));
  const more = total - Math.min(ids.length, max);
  return parts.join(' ') + (more > 0 ? ` <span class="muted">${text(`and ${count(more)} more`)}</span>` : '');
}
