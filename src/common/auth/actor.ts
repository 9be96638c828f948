export const ROLES = ['admin', 'staff', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a signed-in user or an API key, with the scope that decides what they see. */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  /** The user id, or the API key id for a key. */
  id: string;
  /** The user behind the request (for a key: the user who created it). */
  userId: string | null;
  role: Role;
  /** Set for members: the only organization whose data they see. */
  organizationId: string | null;
  /** Set for staff: the centers they work for. */
  centerIds: string[];
  requestId?: string;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', userId: null, role: 'admin', organizationId: null, centerIds: [] };

/** Admins act on every center; staff only on theirs. */
export function canManageCenter(actor: Actor, centerId: string): boolean {
  return actor.role === 'admin' || (actor.role === 'staff' && actor.centerIds.includes(centerId));
}
