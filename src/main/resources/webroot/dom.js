// The one DOM helper of the web chat and the ops console. Attributes are set as attributes and children
// as text nodes: nothing a user wrote is ever parsed as markup.

/** el('button', {class: 'primary', onclick: f}, 'Send'): on* are listeners, false and null are left out. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
