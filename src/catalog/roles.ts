/**
 * The fixed role vocabulary (catalog/roles.json) and how a rule's role list
 * matches the roles a topology gives a host.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleInfo } from './types.js';

const cache = new Map<string, readonly RoleInfo[]>();

/** The roles of catalog/roles.json in `catalogDir`. Shipped data: a broken file is a bug, so this throws plainly. */
export function loadRoles(catalogDir: string): readonly RoleInfo[] {
  let roles = cache.get(catalogDir);
  if (roles === undefined) {
    const json = JSON.parse(readFileSync(join(catalogDir, 'roles.json'), 'utf8')) as { roles: RoleInfo[] };
    roles = Object.freeze(json.roles.map((r) => Object.freeze({ ...r })));
    cache.set(catalogDir, roles);
  }
  return roles;
}

/**
 * True when a host holding `hostRoles` fits a rule side listing `ruleRoles`:
 * the rule lists the wildcard `any`, one of the host's roles, or a group
 * (all-internal-servers) that has one of the host's roles as a member.
 * A host known only as a group member fits the group, never a specific role.
 */
export function rolesFit(vocabulary: readonly RoleInfo[], ruleRoles: readonly string[], hostRoles: readonly string[]): boolean {
  for (const want of ruleRoles) {
    const info = vocabulary.find((r) => r.id === want);
    if (info?.wildcard) return true;
    for (const have of hostRoles) {
      if (have === want) return true;
      if (info?.members?.includes(have)) return true;
    }
  }
  return false;
}
