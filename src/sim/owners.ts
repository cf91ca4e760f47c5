import { seededRandom, type Random } from '../clock.js';
import { hashSeed } from './ids.js';

/**
 * CRM owners (`GET /crm/v3/owners`, spec `crmOwners.json`): the users (and a queue) records are assigned to.
 * About one in six is archived (a deactivated user): archived owners are listed only with `archived=true`, lose
 * their `userId` (`userIdIncludingInactive` keeps it) and stay referenced by the records assigned to them before.
 * Some users never filled in their name; one owner is a queue (type QUEUE, no user, no email). Ids are int32
 * decimal strings, ascending in creation order; teams come with one primary team where there are any.
 */

export interface SimTeam {
  id: string;
  name: string;
}

export interface SimOwner {
  id: string;
  type: 'PERSON' | 'QUEUE';
  userId?: number;
  email?: string;
  firstName?: string;
  lastName?: string;
  teams: Array<SimTeam & { primary: boolean }>;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
}

const FIRST = [
  'Ada',
  'Björn',
  'Chloé',
  'Dmitri',
  'Eun-ji',
  'Farah',
  'Gonçalo',
  'Hiroshi',
  'Ingrid',
  'José',
  'Kwame',
  'Łucja',
  'Maëlle',
  'Nikolai',
  'Olúwaseun',
  'Priya',
  '李',
  'Søren',
];
const LAST = [
  'Okafor',
  'Lindqvist',
  'Dubois',
  'Petrov',
  'Kim',
  'Haddad',
  'Ferreira',
  'Tanaka',
  'Berg',
  'Martínez',
  'Mensah',
  'Wiśniewska',
  'Le Gall',
  'Ivanov',
  'Adeyemi',
  'Iyer',
  '王',
  "O'Connor",
];
const TEAMS = ['West Coast Sales', 'EMEA Success', 'Support Tier 2 🎧'];

/** The instant the first owners were created (well before the records they own). */
const OWNERS_EPOCH = Date.UTC(2019, 9, 30, 3, 30, 17, 883);
const DAY = 86_400_000;

export class OwnerStore {
  readonly owners: SimOwner[] = [];
  readonly teams: SimTeam[];
  private nextId: number;
  private nextUserId: number;
  private readonly random: Random;

  constructor(seed: number, count: number) {
    const random = seededRandom(hashSeed(seed, 'owners'));
    this.random = seededRandom(hashSeed(seed, 'owner-mutations'));
    this.teams = TEAMS.map((name, n) => ({ id: String(178_588 + n * 2 + (seed % 97) * 10), name }));
    this.nextId = 60_000_000 + (hashSeed(seed, 'owner-ids') % 900_000_000);
    this.nextUserId = 1_000_000 + (hashSeed(seed, 'user-ids') % 50_000_000);
    for (let n = 0; n < count; n++) {
      const createdAt = OWNERS_EPOCH + Math.floor((n * 1800 * DAY) / Math.max(1, count)) + Math.floor(random() * DAY);
      const owner = this.make(random, n, createdAt);
      // Archived owners were deactivated during 2025, while the generated records were written.
      if (n > 0 && (n % 6 === 4 || n === count - 1)) this.archive(owner, Date.UTC(2025, 0, 1) + Math.floor(random() * 280) * DAY);
      owner.updatedAt = Math.max(owner.updatedAt, owner.archivedAt ?? 0);
      this.owners.push(owner);
    }
  }

  private make(random: Random, n: number, createdAt: number): SimOwner {
    const id = String(this.nextId);
    this.nextId += 1 + Math.floor(random() * 5000);
    if (n === 2) return { id, type: 'QUEUE', firstName: 'Support queue', teams: [], createdAt, updatedAt: createdAt };
    const first = FIRST[Math.floor(random() * FIRST.length)];
    const last = LAST[Math.floor(random() * LAST.length)];
    const userId = this.nextUserId;
    this.nextUserId += 1 + Math.floor(random() * 900);
    const local =
      `${first}.${last}`
        .normalize('NFD')
        .replace(/[^A-Za-z.]/g, '')
        .toLowerCase() || 'user';
    const owner: SimOwner = {
      id,
      type: 'PERSON',
      userId,
      email: `${local}.${n}@example.com`,
      teams: [],
      createdAt,
      updatedAt: createdAt + Math.floor(random() * 300) * DAY,
    };
    // Some users never filled in their name (an invited user who only has an email).
    if (n % 7 !== 5) {
      owner.firstName = first;
      owner.lastName = n % 11 === 8 ? '' : last;
    }
    const teamCount = n % 4 === 0 ? 0 : 1 + (n % 3 === 0 ? 1 : 0);
    for (let k = 0; k < teamCount; k++) {
      const team = this.teams[(n + k) % this.teams.length];
      owner.teams.push({ ...team, primary: k === 0 });
    }
    return owner;
  }

  private archive(owner: SimOwner, at: number): void {
    owner.archivedAt = at;
    owner.updatedAt = at;
  }

  /** Owners a record modified at `t` may point at: created by then and not yet archived. */
  eligibleAt(t: number): string[] {
    return this.owners.filter((o) => o.createdAt <= t && (o.archivedAt === undefined || o.archivedAt > t)).map((o) => o.id);
  }

  byId(id: string): SimOwner | undefined {
    return this.owners.find((o) => o.id === id);
  }

  /** A user added in Settings > Users at `now`. */
  add(now: number): SimOwner {
    const owner = this.make(this.random, this.owners.length + 3, now);
    owner.updatedAt = now;
    this.owners.push(owner);
    return owner;
  }

  /** A user deactivated at `now` (not the queue, not the first owner); undefined when none is left. */
  archiveOne(now: number): SimOwner | undefined {
    const live = this.owners.filter((o, n) => n > 0 && o.type === 'PERSON' && o.archivedAt === undefined);
    if (live.length === 0) return undefined;
    const owner = live[Math.floor(this.random() * live.length)];
    this.archive(owner, now);
    return owner;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An owner as the owners API returns it (`PublicOwner`). */
export function ownerJson(owner: SimOwner): Record<string, unknown> {
  const out: Record<string, unknown> = { id: owner.id };
  if (owner.email !== undefined) out.email = owner.email;
  if (owner.firstName !== undefined) out.firstName = owner.firstName;
  if (owner.lastName !== undefined) out.lastName = owner.lastName;
  out.type = owner.type;
  // A deactivated user's owner keeps the user only in userIdIncludingInactive.
  if (owner.userId !== undefined) {
    if (owner.archivedAt === undefined) out.userId = owner.userId;
    out.userIdIncludingInactive = owner.userId;
  }
  out.createdAt = iso(owner.createdAt);
  out.updatedAt = iso(owner.updatedAt);
  out.archived = owner.archivedAt !== undefined;
  out.teams = owner.teams.map((t) => ({ id: t.id, name: t.name, primary: t.primary }));
  return out;
}
