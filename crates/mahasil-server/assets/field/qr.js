// The QR code of a seal URL, drawn as SVG: crisp at any size on screen and on paper. The
// encoding is the vendored qrcode-generator (vendor/, MIT); this module only picks its
// settings (DESIGN.md: error correction Q, alphanumeric mode for the upper-case URL) and
// draws the modules.

import qrcode from './vendor/qrcode-generator.mjs';

/** Light modules around the code, as the QR standard asks. */
export const QUIET_ZONE_MODULES = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * The modules of the QR code for `text` at error correction level Q, in the smallest
 * version that holds it: alphanumeric mode when the text allows (an upper-case seal URL
 * does), bytes otherwise. `dark[row][col]` is true for a dark module.
 * @returns {{size: number, version: number, mode: string, dark: boolean[][]}}
 */
export function qrModules(text) {
  const mode = ALPHANUMERIC.test(text) ? 'Alphanumeric' : 'Byte';
  const code = qrcode(0, 'Q');
  code.addData(text, mode);
  code.make();
  const size = code.getModuleCount();
  const dark = Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
  return { size, version: (size - 17) / 4, mode, dark };
}

/** One SVG path drawing the dark modules, each a unit square (runs along a row joined). */
export function modulesPath({ size, dark }, offset = QUIET_ZONE_MODULES) {
  const parts = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!dark[row][col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && dark[row][col]) col++;
      parts.push(`M${start + offset} ${row + offset}h${col - start}v1h${start - col}z`);
    }
  }
  return parts.join('');
}

/**
 * An <svg> of the QR code for `text`, sized by CSS (its viewBox is in modules, quiet
 * zone included, so whole modules land on whole device pixels when the size allows).
 */
export function qrSvg(doc, text, { id, label } = {}) {
  const modules = qrModules(text);
  const extent = modules.size + 2 * QUIET_ZONE_MODULES;
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${extent} ${extent}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  if (id) svg.setAttribute('id', id);
  if (label) svg.setAttribute('aria-label', label);
  svg.dataset.version = String(modules.version);
  svg.dataset.content = text;
  const background = doc.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(extent));
  background.setAttribute('height', String(extent));
  background.setAttribute('fill', '#fff');
  const path = doc.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', modulesPath(modules));
  path.setAttribute('fill', '#000');
  svg.append(background, path);
  return svg;
}
