/** Number, size and time formatting, for the page and the console summary (plain text; escape before use like any other string). */

/** An integer with thousands separators (en-US); toLocaleString is ~50 times slower, which shows over 5,000 table rows. */
export function count(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) >= 1e21) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  if (digits.length <= 3) return n < 0 ? `-${digits}` : digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Capture time as UTC ISO text to the millisecond; '' for null. Capture times are epoch seconds. */
export function utc(ts: number | null | undefined): string {
  if (ts === null || ts === undefined || !Number.isFinite(ts)) return '';
  const d = new Date(Math.round(ts * 1000));
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** A duration in seconds, to a useful precision. */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '';
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 3 : 1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** A ratio 0..1 as a percentage. */
export function percent(r: number): string {
  return `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
}
