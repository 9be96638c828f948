export const RESERVATION_STATUSES = ['pending', 'confirmed', 'in_use', 'completed', 'cancelled', 'rejected', 'no_show'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Statuses that hold the slot (the exclusion constraint's WHERE clause). */
export const ACTIVE_STATUSES: ReservationStatus[] = ['pending', 'confirmed', 'in_use'];

/** Each action is an endpoint; any other change of status is refused. */
export const TRANSITIONS = {
  approve: { from: ['pending'], to: 'confirmed', staffOnly: true },
  reject: { from: ['pending'], to: 'rejected', staffOnly: true },
  cancel: { from: ['pending', 'confirmed'], to: 'cancelled', staffOnly: false },
  'check-in': { from: ['confirmed'], to: 'in_use', staffOnly: false },
  'check-out': { from: ['in_use'], to: 'completed', staffOnly: false },
  'no-show': { from: ['confirmed'], to: 'no_show', staffOnly: true },
} as const satisfies Record<string, { from: readonly ReservationStatus[]; to: ReservationStatus; staffOnly: boolean }>;

export type ReservationAction = keyof typeof TRANSITIONS;

export function allowedActions(status: ReservationStatus): ReservationAction[] {
  return (Object.keys(TRANSITIONS) as ReservationAction[]).filter((action) => (TRANSITIONS[action].from as readonly string[]).includes(status));
}
