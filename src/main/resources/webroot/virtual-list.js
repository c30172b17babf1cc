// A virtualized message list: only the rows on screen (and a margin) are in the DOM, however long the
// history. Rows have measured heights (an estimate until first shown); what is on screen stays put when
// older pages are added above it or rows above change height, and the list follows new messages while
// the reader is at the bottom.

const ESTIMATE = 56;
const MARGIN = 800;

export class VirtualList {
  /**
   * @param {HTMLElement} scroller the scrolling element
   * @param {(item) => HTMLElement} renderRow makes the row of an item (items have a unique `seq`)
   * @param {() => void} onTop called when the reader nears the top (load older messages)
   * @param {() => void} onBottom called when the reader is at the bottom (mark as read)
   */
  constructor(scroller, renderRow, onTop, onBottom) {
    this.scroller = scroller;
    this.renderRow = renderRow;
    this.onTop = onTop;
    this.onBottom = onBottom;
    this.note = document.createElement('div');
    this.note.className = 'history-end';
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    scroller.append(this.note, this.spacer);
    this.items = [];
    this.heights = new Map();
    this.nodes = new Map();
    this.offsets = [0];
    this.stick = true;
    this.frame = 0;
    scroller.addEventListener('scroll', () => {
      this.stick = this.atBottom();
      this.schedule();
    });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  /** The DOM rows now shown (for tests and for checking that the list stays small). */
  get renderedCount() {
    return this.nodes.size;
  }

  setNote(text) {
    this.note.textContent = text || '';
    this.note.hidden = !text;
  }

  /**
   * Replaces the items (sorted by seq). `mode`: `bottom` scrolls to the newest, `follow` does if the reader
   * was at the bottom, `keep` keeps the rows on screen where they are (older ones were added above).
   */
  setItems(items, mode = 'keep') {
    const anchor = this.anchor();
    this.items = items;
    if (mode === 'bottom' || (mode === 'follow' && this.stick)) {
      this.stick = true;
      this.render(null);
    } else {
      this.render(anchor);
    }
  }

  /** An item changed (edited, deleted, approved): its row is made again. */
  update(item) {
    const i = this.items.findIndex((x) => x.seq === item.seq);
    if (i < 0) return;
    this.items[i] = item;
    const node = this.nodes.get(item.seq);
    if (node) {
      node.remove();
      this.nodes.delete(item.seq);
    }
    this.render(this.stick ? null : this.anchor());
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render(this.stick ? null : this.anchor());
      });
    }
  }

  /** The first row at or below the top of the view, and how far below the top it is. */
  anchor() {
    const top = this.scroller.scrollTop - this.spacer.offsetTop;
    const i = this.indexAt(top);
    if (i >= this.items.length) return null;
    return { seq: this.items[i].seq, delta: this.offsets[i] - top };
  }

  indexAt(y) {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1] <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  layout() {
    const n = this.items.length;
    const offsets = new Array(n + 1);
    offsets[0] = 0;
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + (this.heights.get(this.items[i].seq) || ESTIMATE);
    this.offsets = offsets;
    this.spacer.style.height = offsets[n] + 'px';
  }

  render(anchor, pass = 0) {
    this.layout();
    const s = this.scroller;
    const base = this.spacer.offsetTop;
    if (anchor) {
      const i = this.items.findIndex((x) => x.seq === anchor.seq);
      if (i >= 0) s.scrollTop = base + this.offsets[i] - anchor.delta;
    } else if (this.stick) {
      s.scrollTop = s.scrollHeight;
    }
    const top = s.scrollTop - base - MARGIN;
    const bottom = s.scrollTop - base + s.clientHeight + MARGIN;
    const first = this.indexAt(Math.max(0, top));
    const keep = new Set();
    let changed = false;
    for (let i = first; i < this.items.length && this.offsets[i] < bottom; i++) {
      const item = this.items[i];
      keep.add(item.seq);
      let node = this.nodes.get(item.seq);
      if (!node) {
        node = this.renderRow(item);
        this.nodes.set(item.seq, node);
        this.spacer.append(node);
      }
      node.style.top = this.offsets[i] + 'px';
    }
    for (const [seq, node] of this.nodes) {
      if (!keep.has(seq)) {
        node.remove();
        this.nodes.delete(seq);
      }
    }
    for (const seq of keep) {
      const h = this.nodes.get(seq).offsetHeight;
      if (h && h !== this.heights.get(seq)) {
        this.heights.set(seq, h);
        changed = true;
      }
    }
    if (changed && pass < 3) {
      this.render(anchor || (this.stick ? null : this.anchorFor(first)), pass + 1);
      return;
    }
    if (s.scrollTop - base < MARGIN / 2 && this.onTop) this.onTop();
    if (this.atBottom() && this.onBottom) this.onBottom();
  }

  anchorFor(i) {
    if (i >= this.items.length) return null;
    return { seq: this.items[i].seq, delta: this.offsets[i] - (this.scroller.scrollTop - this.spacer.offsetTop) };
  }
}
