/** A tiny element builder: text is always set as text (never parsed as HTML), so API data cannot inject markup. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A definition list of label → value rows (values as text, or nodes). */
export function fields(rows: [string, Child][]): HTMLDListElement {
  const dl = h('dl', { class: 'fields' });
  for (const [label, value] of rows) dl.append(h('dt', {}, label), h('dd', {}, value ?? '—'));
  return dl;
}

export function short(hex: string, keep = 16): string {
  return hex.length > keep * 2 ? `${hex.slice(0, keep)}…${hex.slice(-8)}` : hex;
}
