import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { openDatabase } from '../../../src/db/database.js';
import { OAuthTokens } from '../../../src/fleet/oauth.js';
import { KeyRing } from '../../../src/fleet/secret-box.js';

/**
 * A stand-in for a worker asking for a portal's access token, as a separate OS process (its own database
 * session): prints `ready`, waits for `go` on stdin, asks, and prints a hash of the token it got (never the token).
 * Env: DATABASE_URL, HUBSPOT_FLEET_KEY, CLIENT_ID, CLIENT_SECRET, BASE_URL, PORTAL.
 */
const env = process.env;
const db = await openDatabase({ url: env.DATABASE_URL, schema: 'hubspot_fleet', poolSize: 2 });
const tokens = new OAuthTokens(db, KeyRing.fromSettings({ key: env.HUBSPOT_FLEET_KEY }), {
  clientId: env.CLIENT_ID!,
  clientSecret: env.CLIENT_SECRET!,
  baseUrl: env.BASE_URL!,
});
await db.query('select 1');
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
for await (const line of rl) if (line.trim() === 'go') break;
const token = await tokens.accessToken(env.PORTAL!);
process.stdout.write(`${JSON.stringify({ sha: createHash('sha256').update(token.token).digest('hex') })}\n`);
rl.close();
await db.close();
