import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ExitCode, UserFacingError } from '../exit-codes.js';

/**
 * Tokens stored in the registry are sealed with AES-256-GCM. A sealed value is `iv (12 bytes) || tag (16) ||
 * ciphertext`, stored with the id of the key that sealed it (a fingerprint of the key, never the key), and
 * bound to where it belongs by the additional data (`<portal>:<field>`): a ciphertext copied onto another
 * portal or field does not open.
 *
 * The key comes from HUBSPOT_FLEET_KEY; HUBSPOT_FLEET_KEY_OLD is the previous one during a rotation: values
 * sealed with it still open, new values are always sealed with the current key.
 */
export interface Sealed {
  ciphertext: Buffer;
  keyId: string;
}

export interface FleetKey {
  id: string;
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function parseKey(text: string): FleetKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new UserFacingError('HUBSPOT_FLEET_KEY: expected a 256-bit key (64 hex digits or base64 of 32 bytes)', ExitCode.usage);
  return { id: keyId(key), key };
}

/** A short public fingerprint of a key: tells which key sealed a value without revealing it. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('hubspot-extract fleet key id\0').update(key).digest('hex').slice(0, 16);
}

export class KeyRing {
  private readonly byId = new Map<string, FleetKey>();

  constructor(
    readonly current: FleetKey | undefined,
    previous: FleetKey[] = [],
  ) {
    for (const k of [...previous, ...(current ? [current] : [])]) this.byId.set(k.id, k);
  }

  static fromSettings(fleet: { key?: string; oldKey?: string }): KeyRing {
    return new KeyRing(fleet.key ? parseKey(fleet.key) : undefined, fleet.oldKey ? [parseKey(fleet.oldKey)] : []);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  seal(plaintext: string, context: string): Sealed {
    if (!this.current) throw missingKey('storing a token encrypted');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: this.current.id };
  }

  open(sealed: Sealed, context: string): string {
    const key = this.byId.get(sealed.keyId);
    if (!key) {
      throw new UserFacingError(
        this.current
          ? `a token is sealed with key ${sealed.keyId}, but HUBSPOT_FLEET_KEY is key ${this.current.id}${this.byId.size > 1 ? ' and HUBSPOT_FLEET_KEY_OLD another one' : ''}: set HUBSPOT_FLEET_KEY_OLD to the key it was sealed with (see README "Key rotation")`
          : missingKey('reading a token stored encrypted').message,
        ExitCode.usage,
      );
    }
    const iv = sealed.ciphertext.subarray(0, IV_BYTES);
    const tag = sealed.ciphertext.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.ciphertext.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new UserFacingError(`a token sealed with key ${sealed.keyId} does not open (${context}): it was altered or belongs elsewhere`, ExitCode.runFailed);
    }
  }
}

function missingKey(what: string): UserFacingError {
  return new UserFacingError(`HUBSPOT_FLEET_KEY is not set: ${what} needs it (make one with: openssl rand -base64 32)`, ExitCode.usage);
}
