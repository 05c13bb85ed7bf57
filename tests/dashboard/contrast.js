// Every visible piece of text on the page, with its colour and the colour under it: the WCAG
// contrast ratio is computed in Python. Elements faded on purpose (opacity < 1: stale
// figures) and text inside SVG charts (drawn on their own light card) are left out.
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const under = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg && bg.a > 0.5) return bg;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
  };
  const faded = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (parseFloat(getComputedStyle(e).opacity) < 1) return true;
    }
    return false;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('svg') || faded(el)) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('option, script, style, template')) continue;
    const fg = parse(style.color);
    out.push({ text: text.slice(0, 40), tag: el.tagName, cls: el.className, fg, bg: under(el) });
  }
  return out;
}
