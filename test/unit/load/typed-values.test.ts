import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { daysInMonth, decimalExponent, typeValue, typingRule } from '../../../src/load/typed-values.js';

describe('typing rules (JavaScript side, used by the loader)', () => {
  it('maps definition types to rules: number, date, datetime, bool and booleancheckbox, checkbox enumerations, text', () => {
    expect(typingRule('number', 'number')).toBe('number');
    expect(typingRule('date', 'date')).toBe('date');
    expect(typingRule('datetime', 'date')).toBe('datetime');
    expect(typingRule('bool', 'booleancheckbox')).toBe('bool');
    expect(typingRule('enumeration', 'booleancheckbox')).toBe('bool');
    expect(typingRule('enumeration', 'checkbox')).toBe('multi');
    expect(typingRule('enumeration', 'select')).toBe('text');
    expect(typingRule('enumeration', 'radio')).toBe('text');
    expect(typingRule('string', 'text')).toBe('text');
    expect(typingRule('phone_number', 'phonenumber')).toBe('text');
    expect(typingRule('object_coordinates', 'text')).toBe('text');
  });

  it('numbers: decimals and exponents, trimmed; not N/A, commas, NaN, hex, blanks, or beyond a double', () => {
    expect(typeValue('number', '1234.5')).toBe('1234.5');
    expect(typeValue('number', ' -0.5 ')).toBe('-0.5');
    expect(typeValue('number', '.5')).toBe('.5');
    expect(typeValue('number', '5.')).toBe('5.');
    expect(typeValue('number', '1e307')).toBe('1e307');
    expect(typeValue('number', '9.99e307')).toBe('9.99e307');
    expect(typeValue('number', '1e-999')).toBe('1e-999');
    for (const bad of ['N/A', '12,5', '', ' ', '1e999', '1e308', '1' + '0'.repeat(308), 'NaN', 'Infinity', '0x1F', '1_000', '--1', '1e1000', '+', '.', 'e5']) {
      expect(typeValue('number', bad), bad).toBeNull();
    }
    expect(typeValue('number', '1'.repeat(1001))).toBeNull();
  });

  it('computes the decimal exponent of a number exactly', () => {
    expect(decimalExponent('0')).toBe(-Infinity);
    expect(decimalExponent('0.000')).toBe(-Infinity);
    expect(decimalExponent('123.4')).toBe(2);
    expect(decimalExponent('0.0012')).toBe(-3);
    expect(decimalExponent('00012e5')).toBe(6);
    expect(decimalExponent('.5e-3')).toBe(-4);
  });

  it('datetimes: ISO-8601 with or without offset (UTC when none) and epoch milliseconds', () => {
    expect(typeValue('datetime', '2025-02-28T12:34:56.789Z')).toBe('2025-02-28T12:34:56.789Z');
    expect(typeValue('datetime', '2025-02-28T12:34:56+01:00')).toBe('2025-02-28T12:34:56+01:00');
    expect(typeValue('datetime', '2025-02-28 12:34')).toBe('2025-02-28 12:34Z');
    expect(typeValue('datetime', '2025-02-28')).toBe('2025-02-28T00:00:00Z');
    expect(typeValue('datetime', '1740700800000')).toBe('2025-02-28T00:00:00.000Z');
    expect(typeValue('datetime', '-1000')).toBe('1969-12-31T23:59:59.000Z');
    for (const bad of [
      '31/02/2025',
      '2025-02-29',
      '2025-02-31T00:00:00Z',
      '2025-13-01',
      '0000-01-01',
      '1000-06-01',
      '9999-01-01',
      '2025-02-28T24:00:00Z',
      '2025-02-28T12:34:56.1234567Z',
      'today',
      'now',
      'N/A',
      '',
      ' ',
      ' 2025-02-28',
      '12345678901234',
      '2025-02-28T12:34:56+16:00',
    ]) {
      expect(typeValue('datetime', bad), bad).toBeNull();
    }
    expect(typeValue('datetime', '2024-02-29T00:00:00Z')).not.toBeNull();
    expect(typeValue('datetime', '2000-02-29')).not.toBeNull();
    expect(typeValue('datetime', '1900-02-29')).toBeNull();
  });

  it('dates: the UTC date of whatever datetime rule accepts', () => {
    expect(typeValue('date', '2025-02-28')).toBe('2025-02-28');
    expect(typeValue('date', '1740700800000')).toBe('2025-02-28');
    expect(typeValue('date', '2025-02-28T23:30:00-01:00')).toBe('2025-03-01');
    expect(typeValue('date', '2025-03-01T00:30:00+0100')).toBe('2025-02-28');
    expect(typeValue('date', '31/02/2025')).toBeNull();
    expect(typeValue('date', '2025-02-30')).toBeNull();
  });

  it('booleans: true/false, yes/no, 1/0 in any case, trimmed; nothing else', () => {
    for (const yes of ['true', 'TRUE', ' yes ', '1']) expect(typeValue('bool', yes), yes).toBe('t');
    for (const no of ['false', 'No', '0']) expect(typeValue('bool', no), no).toBe('f');
    for (const bad of ['maybe', '', ' ', 'y', 'on', 'tru']) expect(typeValue('bool', bad), bad).toBeNull();
  });

  it('checkboxes: split on ";" into an array literal, empty parts dropped, quotes and backslashes escaped', () => {
    expect(typeValue('multi', 'a;b;;c')).toBe('{"a","b","c"}');
    expect(typeValue('multi', 'say "hi";back\\slash')).toBe('{"say \\"hi\\"","back\\\\slash"}');
    expect(typeValue('multi', ';;')).toBeNull();
    expect(typeValue('multi', '')).toBeNull();
  });

  it('text stays as sent, empty strings included; null and missing are NULL', () => {
    expect(typeValue('text', '')).toBe('');
    expect(typeValue('text', ' x ')).toBe(' x ');
    expect(typeValue('text', null)).toBeNull();
    expect(typeValue('number', undefined)).toBeNull();
    expect(typeValue('number', 12)).toBe('12');
  });

  it('month lengths agree with the calendar for every month of 400 years', () => {
    for (let y = 1600; y < 2000; y++) {
      for (let m = 1; m <= 12; m++) expect(daysInMonth(y, m)).toBe(new Date(Date.UTC(y, m, 0)).getUTCDate());
    }
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.constantFrom('number', 'datetime', 'date', 'bool', 'multi', 'text' as const), fc.string({ unit: 'binary' }), (rule, s) => {
        typeValue(rule, s);
      }),
    );
  });
});
