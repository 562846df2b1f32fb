/**
 * Markup built piece by piece, joined in chunks. A table of thousands of rows
 * built with `s +=` is a rope of millions of small strings that all stay
 * alive until the page is written, so every young-generation GC copies them
 * again (on the bench capture a third of the page's time went to GC); joining
 * every CHUNK pieces keeps one flat string per chunk and lets the pieces die
 * young. Holds markup only: escape data with text()/attr() before add().
 */

/** Pieces per joined chunk: small enough to be joined long before a young-generation GC (a few MB of allocation). */
const CHUNK = 256;

export class Markup {
  private readonly chunks: string[] = [];
  private pieces: string[] = [];

  constructor(start = '') {
    if (start !== '') this.pieces.push(start);
  }

  add(markup: string): void {
    this.pieces.push(markup);
    if (this.pieces.length >= CHUNK) this.flush();
  }

  /** All the markup added, as one string. */
  toString(): string {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0] : this.chunks.join('');
  }

  private flush(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.join(''));
    this.pieces = [];
  }
}
