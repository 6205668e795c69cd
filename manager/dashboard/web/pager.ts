// Filtering and paging of a long list (1,000 nodes): only one page is ever in the DOM.
import { h } from './dom.js';

export class Pager<T> {
  page = 0;
  filter = '';

  constructor(
    readonly size: number,
    private readonly text: (item: T) => string,
  ) {}

  /** The items of the current page, after the filter; the page is clamped to what exists. */
  slice(items: T[]): { rows: T[]; total: number; pages: number } {
    const f = this.filter.trim().toLowerCase();
    const kept = f ? items.filter((i) => this.text(i).toLowerCase().includes(f)) : items;
    const pages = Math.max(1, Math.ceil(kept.length / this.size));
    this.page = Math.min(this.page, pages - 1);
    return {
      rows: kept.slice(this.page * this.size, (this.page + 1) * this.size),
      total: kept.length,
      pages,
    };
  }

  /** "‹ 2 / 20 ›" controls; REDRAW runs after a page change. */
  controls(pages: number, total: number, redraw: () => void): HTMLElement {
    const go = (d: number) => () => {
      this.page = Math.max(0, Math.min(pages - 1, this.page + d));
      redraw();
    };
    return h(
      'span',
      { class: 'pager' },
      h('button', { onclick: go(-1), disabled: this.page === 0, title: 'previous page' }, '‹'),
      ` ${this.page + 1} / ${pages} (${total}) `,
      h('button', { onclick: go(1), disabled: this.page >= pages - 1, title: 'next page' }, '›'),
    );
  }
}
