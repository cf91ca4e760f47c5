import { literal, qualified, type Queryable } from './database.js';

/**
 * Views the tool generates at run time (the typed relations) rather than in a migration. They depend on the
 * extracted tables, and Postgres refuses to change the type of, or drop, a column a view uses: so before pending
 * migrations run, these views are set aside (definition, comment and grants kept), and put back afterwards. One
 * that no longer fits the migrated tables is left out; its builder makes it again from the property definitions.
 * The comment is how they are found: it travels with the view (pg_dump keeps it) and needs no table of its own.
 */
export const DERIVED_MARK = 'hubspot-extract:derived';

export interface SavedView {
  name: string;
  definition: string;
  comment: string;
  grants: string[];
}

/** The derived views of `schema`, to be recreated under the same search_path they were read with. */
export async function derivedViews(tx: Queryable, schema: string): Promise<SavedView[]> {
  const { rows } = await tx.query<{ name: string; definition: string; comment: string }>(
    `select c.relname as name, pg_get_viewdef(c.oid) as definition, d.description as comment
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
     where n.nspname = $1 and c.relkind = 'v' and starts_with(d.description, $2) order by c.relname`,
    [schema, DERIVED_MARK],
  );
  const saved: SavedView[] = [];
  for (const r of rows) saved.push({ ...r, grants: await grantsOf(tx, schema, r.name) });
  return saved;
}

/**
 * GRANT statements that give back what has been granted on a relation (analysts grant their BI role SELECT on a
 * typed view; dropping and recreating the view must not take that away).
 */
export async function grantsOf(tx: Queryable, schema: string, name: string): Promise<string[]> {
  const { rows } = await tx.query<{ statement: string }>(
    `select format('grant %s on %I.%I to %s%s', a.privilege_type, n.nspname, c.relname,
         case when a.grantee = 0 then 'public' else quote_ident(r.rolname) end,
         case when a.is_grantable then ' with grant option' else '' end) as statement
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     cross join lateral aclexplode(c.relacl) a left join pg_roles r on r.oid = a.grantee
     where n.nspname = $1 and c.relname = $2 and a.grantee <> c.relowner
     order by 1`,
    [schema, name],
  );
  return rows.map((r) => r.statement);
}

export async function applyGrants(tx: Queryable, grants: string[]): Promise<void> {
  for (const g of grants) await tx.query(g);
}

/** Drops each view under a savepoint; one that other objects depend on (an analyst's own view) stays where it is. */
export async function setAsideDerivedViews(tx: Queryable, schema: string): Promise<SavedView[]> {
  const aside: SavedView[] = [];
  for (const view of await derivedViews(tx, schema)) {
    const dropped = await attempt(tx, `drop view ${qualified(schema, view.name)}`);
    if (dropped) aside.push(view);
  }
  return aside;
}

/** Puts views back; returns the names of those that could not be (the migrations changed what they read). */
export async function restoreDerivedViews(tx: Queryable, schema: string, views: SavedView[]): Promise<string[]> {
  const missing: string[] = [];
  for (const view of views) {
    const q = qualified(schema, view.name);
    const ok = await attempt(tx, async () => {
      await tx.query(`create view ${q} as ${view.definition}`);
      await tx.query(`comment on view ${q} is ${literal(view.comment)}`);
      await applyGrants(tx, view.grants);
    });
    if (!ok) missing.push(view.name);
  }
  return missing;
}

/** Runs `work` under a savepoint: false (and nothing changed) when it failed. */
async function attempt(tx: Queryable, work: string | (() => Promise<void>)): Promise<boolean> {
  await tx.query('savepoint derived_view');
  try {
    if (typeof work === 'string') await tx.query(work);
    else await work();
    await tx.query('release savepoint derived_view');
    return true;
  } catch {
    await tx.query('rollback to savepoint derived_view');
    return false;
  }
}
