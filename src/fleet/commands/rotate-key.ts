import type { Command } from 'commander';
import { ident } from '../../db/database.js';
import { sealContext } from '../credentials.js';
import { listPortals } from '../registry.js';
import { KeyRing, parseKey } from '../secret-box.js';
import { settingsFrom, subcommand, usage, withFleet, type FleetCommandDeps } from './context.js';

/**
 * `portals rotate-key`: re-encrypts every stored token (credentials and cached OAuth access tokens) under
 * HUBSPOT_FLEET_KEY, opening them with HUBSPOT_FLEET_KEY_OLD, in one transaction: it all moves or nothing
 * does. Values already under the new key are left alone, so it can be run again safely.
 *
 * The procedure (README "Key rotation"): give workers HUBSPOT_FLEET_KEY=new and HUBSPOT_FLEET_KEY_OLD=old
 * (they read both, write with the new one) and restart them; run this; then drop HUBSPOT_FLEET_KEY_OLD.
 */
export function rotateKeyCommand(deps: FleetCommandDeps): Command {
  return subcommand('rotate-key', 'Re-encrypt every stored token from HUBSPOT_FLEET_KEY_OLD to HUBSPOT_FLEET_KEY, in one transaction.').action(async () => {
    const settings = settingsFrom(deps);
    if (!settings.fleet.key) throw usage('HUBSPOT_FLEET_KEY is not set: set it to the new key (make one with: openssl rand -base64 32)');
    if (!settings.fleet.oldKey) throw usage('HUBSPOT_FLEET_KEY_OLD is not set: set it to the key the tokens are encrypted with now');
    const keys = KeyRing.fromSettings(settings.fleet);
    if (parseKey(settings.fleet.oldKey).id === keys.current!.id) throw usage('HUBSPOT_FLEET_KEY and HUBSPOT_FLEET_KEY_OLD are the same key');
    await withFleet(
      deps,
      async ({ db, out }) => {
        const t = ident(db.schema);
        const counts = await db.transaction(async (tx) => {
          await tx.query(`lock table ${t}.portals in share row exclusive mode`);
          let credentials = 0;
          let accessTokens = 0;
          for (const p of await listPortals(tx, db.schema)) {
            if (p.credential.sealed && p.credential.sealed.keyId !== keys.current!.id) {
              const next = keys.seal(keys.open(p.credential.sealed, sealContext(p.name, 'credential')), sealContext(p.name, 'credential'));
              await tx.query(`update ${t}.portals set credential_ciphertext = $2, credential_key_id = $3, updated_at = now() where name = $1`, [
                p.name,
                next.ciphertext,
                next.keyId,
              ]);
              credentials++;
            }
            if (p.access && p.access.sealed.keyId !== keys.current!.id) {
              const next = keys.seal(keys.open(p.access.sealed, sealContext(p.name, 'access')), sealContext(p.name, 'access'));
              await tx.query(`update ${t}.portals set access_ciphertext = $2, access_key_id = $3 where name = $1`, [p.name, next.ciphertext, next.keyId]);
              accessTokens++;
            }
          }
          return { credentials, accessTokens };
        });
        out(
          `re-encrypted ${counts.credentials} stored token(s) and ${counts.accessTokens} cached access token(s) under key ${keys.current!.id}; HUBSPOT_FLEET_KEY_OLD can now be removed from the workers\n`,
        );
      },
      settings,
    );
  });
}
