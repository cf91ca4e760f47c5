/**
 * JSON.parse that keeps integers beyond 2^53 exact by turning them into strings first.
 *
 * HubSpot sends v4 association `toObjectId`s as JSON numbers (contract §2.5), and real ids can exceed
 * Number.MAX_SAFE_INTEGER; JSON.parse (and so @hubspot/api-client) would round them silently. This
 * scanner walks the text once, skips string literals (escapes included), and quotes every integer
 * literal that is not a safe integer. Safe integers and all fractions stay numbers, so callers
 * normalise ids with String(value), which is exact for both.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

/**
 * Most replies hold no integer literal of 16 digits or more (object pages carry ids and values as strings): a native
 * search for 16 digits in a row says so at once, where the scan below walks a reply of several MB character by
 * character in JavaScript. Digits inside a string (a value such as "17410824000000000000") are told apart by what
 * precedes them: a JSON number starts the text or follows `:`, `[` or `,` (and whitespace, and its own `-`). When
 * one may be a number, the full scan decides.
 */
const SIXTEEN_DIGITS = /[0-9]{16}/g;

function mayHoldLongInteger(text: string): boolean {
  SIXTEEN_DIGITS.lastIndex = 0;
  for (let m = SIXTEEN_DIGITS.exec(text); m !== null; m = SIXTEEN_DIGITS.exec(text)) {
    let i = m.index - 1;
    if (text.charCodeAt(i) === 0x2d /* - */) i--;
    while (i >= 0 && ' \t\n\r'.includes(text[i])) i--;
    if (i < 0 || ':[,'.includes(text[i])) return true;
  }
  return false;
}

export function quoteUnsafeIntegers(text: string): string {
  if (!mayHoldLongInteger(text)) return text;
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      let integer = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) i++;
        else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          integer = false;
          i++;
        } else break;
      }
      const token = text.slice(start, i);
      // 16+ significant digits may be unsafe; shorter integers never are.
      if (integer && token.replace('-', '').length >= 16 && !Number.isSafeInteger(Number(token))) {
        out += text.slice(copiedUpTo, start) + '"' + token + '"';
        copiedUpTo = i;
      }
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
