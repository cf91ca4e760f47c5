import { describe, expect, it } from 'vitest';
import { findById, parseXml, polylinePoints } from './xml.js';

describe('parseXml (the chart checker)', () => {
  it('parses nested elements, attributes, entities and comments', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<svg a="1"><!-- note --><g id="x"><text id="t">A &amp; B &lt; C</text><polyline id="p" points="1,2 3,4"/></g></svg>',
    );
    expect(root.name).toBe('svg');
    expect(findById(root, 't')?.text).toBe('A & B < C');
    expect(polylinePoints(findById(root, 'p')!)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it.each([
    ['<svg><g></svg>', '</svg> closes <g>'],
    ['<svg>', '<svg> is never closed'],
    ['<svg a=1></svg>', 'malformed tag'],
    ['<svg a="1" a="2"></svg>', 'duplicate attribute a'],
    ['<svg>A & B</svg>', 'bare &'],
    ['<svg></svg><svg></svg>', 'second root element'],
    ['hello<svg></svg>', 'text outside the root element'],
    ['', 'no root element'],
  ])('rejects %j', (source, message) => {
    expect(() => parseXml(source)).toThrow(message);
  });
});
