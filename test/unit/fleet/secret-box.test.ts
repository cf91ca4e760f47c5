import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRing, keyId, parseKey } from '../../../src/fleet/secret-box.js';

const hexKey = randomBytes(32).toString('hex');
const b64Key = randomBytes(32).toString('base64');

describe('sealed tokens (AES-256-GCM)', () => {
  it('round trip: what is sealed opens to the same text, and the ciphertext does not contain it', () => {
    const ring = KeyRing.fromSettings({ key: hexKey });
    const token = ['pat', 'na1', '11111111-2222-3333-4444-555555555555'].join('-');
    const sealed = ring.seal(token, 'hubspot-fleet:acme:credential');
    expect(sealed.keyId).toBe(parseKey(hexKey).id);
    expect(sealed.ciphertext.includes(Buffer.from(token))).toBe(false);
    expect(sealed.ciphertext.length).toBe(12 + 16 + Buffer.byteLength(token));
    expect(ring.open(sealed, 'hubspot-fleet:acme:credential')).toBe(token);
  });

  it('each seal uses a fresh IV, so one token sealed twice gives two ciphertexts', () => {
    const ring = KeyRing.fromSettings({ key: b64Key });
    const a = ring.seal('same', 'ctx');
    const b = ring.seal('same', 'ctx');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('a ciphertext bound to one portal and field does not open as another', () => {
    const ring = KeyRing.fromSettings({ key: hexKey });
    const sealed = ring.seal('secret', 'hubspot-fleet:acme:credential');
    expect(() => ring.open(sealed, 'hubspot-fleet:other:credential')).toThrow(/does not open/);
    expect(() => ring.open(sealed, 'hubspot-fleet:acme:access')).toThrow(/does not open/);
  });

  it('an altered ciphertext does not open', () => {
    const ring = KeyRing.fromSettings({ key: hexKey });
    const sealed = ring.seal('secret', 'ctx');
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[tampered.length - 1] ^= 1;
    expect(() => ring.open({ ...sealed, ciphertext: tampered }, 'ctx')).toThrow(/does not open/);
  });

  it('the old key still opens what it sealed; new values are sealed with the current key', () => {
    const old = KeyRing.fromSettings({ key: hexKey });
    const sealed = old.seal('secret', 'ctx');
    const rotating = KeyRing.fromSettings({ key: b64Key, oldKey: hexKey });
    expect(rotating.open(sealed, 'ctx')).toBe('secret');
    expect(rotating.seal('x', 'ctx').keyId).toBe(parseKey(b64Key).id);
  });

  it('a value sealed with a key the worker does not have names both key ids, never the keys', () => {
    const sealed = KeyRing.fromSettings({ key: hexKey }).seal('secret', 'ctx');
    let message = '';
    try {
      KeyRing.fromSettings({ key: b64Key }).open(sealed, 'ctx');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(parseKey(hexKey).id);
    expect(message).toContain(parseKey(b64Key).id);
    expect(message).toContain('HUBSPOT_FLEET_KEY_OLD');
    expect(message).not.toContain(hexKey);
    expect(message).not.toContain(b64Key);
  });

  it('without a key nothing is sealed or opened, and the error says how to make one', () => {
    const ring = KeyRing.fromSettings({});
    expect(() => ring.seal('x', 'ctx')).toThrow(/HUBSPOT_FLEET_KEY is not set.*openssl rand -base64 32/);
  });

  it('key ids are stable fingerprints and differ between keys; hex and base64 spellings of one key agree', () => {
    const raw = randomBytes(32);
    expect(parseKey(raw.toString('hex')).id).toBe(parseKey(raw.toString('base64')).id);
    expect(keyId(raw)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId(raw)).not.toBe(keyId(randomBytes(32)));
    expect(() => parseKey('too-short')).toThrow(/256-bit/);
  });
});
