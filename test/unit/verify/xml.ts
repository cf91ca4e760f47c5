/**
 * A small strict XML parser for checking the charts: rejects anything not well-formed (unbalanced or
 * mismatched tags, unquoted or duplicate attributes, bare `&` or `<`, text outside the root) and returns
 * the element tree so tests can look parts up by id.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_:][A-Za-z0-9_:.-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(raw: string, where: string): string {
  const stripped = raw.replace(ENTITY, '');
  if (stripped.includes('&')) throw new Error(`bare & in ${where}`);
  if (stripped.includes('<')) throw new Error(`bare < in ${where}`);
  return raw
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&amp;/g, '&');
}

function parseAttributes(source: string, tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = new RegExp(`^\\s+(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
  let rest = source;
  for (;;) {
    if (rest.trim() === '') return attributes;
    const match = pattern.exec(rest);
    if (!match) throw new Error(`malformed attributes in <${tag}>: ${rest.slice(0, 40)}`);
    const name = match[1];
    if (name in attributes) throw new Error(`duplicate attribute ${name} in <${tag}>`);
    attributes[name] = decode(match[2] ?? match[3], `attribute ${name} of <${tag}>`);
    rest = rest.slice(match[0].length);
  }
}

export function parseXml(source: string): XmlElement {
  let text = source.replace(/^\uFEFF/, '');
  text = text.replace(/^\s*<\?xml[^?]*\?>/, '');
  const tagPattern = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>|<!--[\\s\\S]*?-->`, 'y');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let index = 0;
  while (index < text.length) {
    const next = text.indexOf('<', index);
    const chunk = text.slice(index, next < 0 ? text.length : next);
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new Error(`text outside the root element: ${chunk.trim().slice(0, 40)}`);
      stack[stack.length - 1].text += decode(chunk, `text of <${stack[stack.length - 1].name}>`);
    }
    if (next < 0) break;
    tagPattern.lastIndex = next;
    const match = tagPattern.exec(text);
    if (!match) throw new Error(`malformed tag at offset ${next}: ${text.slice(next, next + 40)}`);
    index = tagPattern.lastIndex;
    if (match[0].startsWith('<!--')) continue;
    const [, closing, name, attributeText, selfClosing] = match;
    if (closing) {
      if (attributeText.trim() !== '' || selfClosing) throw new Error(`malformed closing tag </${name}>`);
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    if (stack.length === 0 && root) throw new Error(`second root element <${name}>`);
    const element: XmlElement = { name, attributes: parseAttributes(attributeText, name), children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

export function* descendants(element: XmlElement): Generator<XmlElement> {
  for (const child of element.children) {
    yield child;
    yield* descendants(child);
  }
}

export function findById(root: XmlElement, id: string): XmlElement | undefined {
  for (const element of descendants(root)) if (element.attributes.id === id) return element;
  return undefined;
}

/** "x1,y1 x2,y2 ..." from a polyline's points attribute. */
export function polylinePoints(element: XmlElement): Array<[number, number]> {
  const raw = element.attributes.points ?? '';
  return raw
    .trim()
    .split(/\s+/)
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [x, y] = pair.split(',').map(Number);
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`bad polyline point ${pair}`);
      return [x, y];
    });
}
