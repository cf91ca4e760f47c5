import { readFile } from 'node:fs/promises';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import type { CredentialSpec, PortalRecord } from './portal-spec.js';
import type { KeyRing } from './secret-box.js';

/**
 * A portal's credential (the private app's access token, or the OAuth install's refresh token) as the
 * worker resolves it at the start of each run: from its own environment, from a file on its machine, or by
 * opening the sealed value with HUBSPOT_FLEET_KEY. The value lives only in the worker's memory.
 */
export class CredentialError extends UserFacingError {
  constructor(message: string) {
    super(message, ExitCode.runFailed);
    this.name = 'CredentialError';
  }
}

/** Additional data binding a sealed value to its portal and field. */
export function sealContext(portal: string, field: 'credential' | 'access'): string {
  return `hubspot-fleet:${portal}:${field}`;
}

export async function resolveCredential(
  portal: Pick<PortalRecord, 'name' | 'credential'>,
  keys: KeyRing,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const c: CredentialSpec = portal.credential;
  const what = `portal ${portal.name}`;
  if (c.kind === 'env') {
    const value = env[c.ref!]?.trim();
    if (!value) throw new CredentialError(`${what}: environment variable ${c.ref} is not set on this worker`);
    return value;
  }
  if (c.kind === 'file') {
    let text: string;
    try {
      text = await readFile(c.ref!, 'utf8');
    } catch (e) {
      throw new CredentialError(`${what}: cannot read token file ${c.ref} on this worker (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const value = text.trim();
    if (!value) throw new CredentialError(`${what}: token file ${c.ref} is empty`);
    return value;
  }
  if (!c.sealed) throw new CredentialError(`${what}: no stored token`);
  return keys.open(c.sealed, sealContext(portal.name, 'credential'));
}

/** How `inspect` and `ls` show a credential: where it comes from, never what it is. */
export function describeCredential(c: CredentialSpec): string {
  if (c.kind === 'env') return `environment variable ${c.ref}`;
  if (c.kind === 'file') return `file ${c.ref}`;
  return `encrypted in the registry (key ${c.sealed?.keyId ?? '?'})`;
}
