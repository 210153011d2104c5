// The pad's 16×16 line icons: path data stroked in currentColor (media/pad.css sizes them).

const SVG_NS = 'http://www.w3.org/2000/svg';

export function icon(d: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

export const ICON_UNDO = 'M5.5 3.5 2.5 6.5l3 3M2.8 6.5H10a3.5 3.5 0 0 1 0 7H7';
export const ICON_CLEAR = 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5M7 7v4M9 7v4';
export const ICON_TRAIN = 'M8 1.8c2.6 1.6 3.6 4.4 3 7.4L9.6 11H6.4L5 9.2c-.6-3 .4-5.8 3-7.4ZM8 5.2v1.6M5 9.2 3 11v2.2l3.4-2.2M11 9.2l2 1.8v2.2l-3.4-2.2';
export const ICON_WHY = 'M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8ZM8 10.2a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4Z';
export const ICON_TUNE = 'M2 13.5h12M4 11V7M8 11V3M12 11V5.5';
export const ICON_DELETE = 'M4.5 4.5l7 7M11.5 4.5l-7 7';
export const ICON_OPEN = 'M1.8 4V12.5h10.7l1.8-5.3H4.1L2.5 12M1.8 4V2.8h4.1l1.3 1.4h4.8v3';
