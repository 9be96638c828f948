/**
 * The physical state machine of a sample, as data: which action is allowed from which state
 * and where it leads. Services and the scan pages both read it, so the buttons a page offers
 * are exactly the transitions the API accepts.
 */
export const SAMPLE_STATES = ['expected', 'received', 'available', 'in_use', 'on_hold', 'rejected', 'shipped', 'consumed', 'disposed', 'cancelled'] as const;
export type SampleState = (typeof SAMPLE_STATES)[number];

/** States a sample does not leave by ordinary handling; shipping needs every child in one of these (or shipped along). */
export const SETTLED_STATES: readonly SampleState[] = ['shipped', 'consumed', 'disposed', 'cancelled'];

export const SAMPLE_EVENT_TYPES = [
  'registered',
  'received',
  'rejected',
  'label_printed',
  'location_changed',
  'custody_changed',
  'process_step',
  'split',
  'combined',
  'measured',
  'quantity_adjusted',
  'hazard_updated',
  'hold_placed',
  'hold_released',
  'shipped',
  'return_received',
  'disposed',
  'corrected',
  'cancelled',
  'reinstated',
] as const;
export type SampleEventType = (typeof SAMPLE_EVENT_TYPES)[number];

export const SAMPLE_ACTIONS = [
  'receive',
  'reject',
  'store',
  'check-out',
  'check-in',
  'process-step',
  'measure',
  'hold',
  'release',
  'ship',
  'return',
  'dispose',
  'cancel',
  'reinstate',
  'split',
  'combine',
  'correct',
] as const;
export type SampleAction = (typeof SAMPLE_ACTIONS)[number];

interface Transition {
  from: readonly SampleState[];
  /** The state after the action; `same` keeps it, `held` returns to the state before the hold. */
  to: SampleState | 'same' | 'held';
  event: SampleEventType;
  /** Negative actions need a reason in the record. */
  needsReason?: boolean;
  /** Members of the owner organization may do it; everything else is center staff's. */
  ownerMayDo?: boolean;
}

const HANDLED: readonly SampleState[] = ['received', 'available', 'in_use'];

export const SAMPLE_TRANSITIONS: Record<SampleAction, Transition> = {
  receive: { from: ['expected'], to: 'received', event: 'received' },
  reject: { from: ['expected', 'received'], to: 'rejected', event: 'rejected', needsReason: true },
  // Storing a received sample makes it available; moving a held or rejected one keeps its state.
  store: { from: ['received', 'available', 'on_hold', 'rejected'], to: 'same', event: 'location_changed' },
  'check-out': { from: ['available'], to: 'in_use', event: 'custody_changed' },
  'check-in': { from: ['in_use'], to: 'available', event: 'custody_changed' },
  'process-step': { from: ['in_use'], to: 'same', event: 'process_step' },
  measure: { from: ['in_use'], to: 'same', event: 'measured' },
  hold: { from: HANDLED, to: 'on_hold', event: 'hold_placed', needsReason: true },
  release: { from: ['on_hold'], to: 'held', event: 'hold_released' },
  ship: { from: ['received', 'available', 'on_hold', 'rejected'], to: 'shipped', event: 'shipped' },
  return: { from: ['shipped'], to: 'received', event: 'return_received' },
  dispose: { from: ['received', 'available', 'on_hold', 'rejected'], to: 'disposed', event: 'disposed' },
  cancel: { from: ['expected'], to: 'cancelled', event: 'cancelled', needsReason: true, ownerMayDo: true },
  reinstate: { from: ['cancelled'], to: 'expected', event: 'reinstated', needsReason: true },
  split: { from: HANDLED, to: 'same', event: 'split' },
  combine: { from: HANDLED, to: 'consumed', event: 'combined' },
  correct: { from: SAMPLE_STATES, to: 'same', event: 'corrected', needsReason: true },
};

/** The state after `action` from `state` (for `store`, a received sample becomes available). */
export function nextState(action: SampleAction, state: SampleState, heldFrom: SampleState | null): SampleState {
  const { to } = SAMPLE_TRANSITIONS[action];
  if (to === 'held') return heldFrom ?? 'available';
  if (to === 'same') return action === 'store' && state === 'received' ? 'available' : state;
  return to;
}

/** Actions allowed from a state, in the order the scan page shows them. */
export function allowedSampleActions(state: SampleState): SampleAction[] {
  return SAMPLE_ACTIONS.filter((action) => action !== 'correct' && SAMPLE_TRANSITIONS[action].from.includes(state));
}

/** Why a sample leaves the center's care for good; `other` needs a comment. */
export const DISPOSAL_REASONS = [
  'used_up',
  'no_longer_required',
  'shelf_life_exceeded',
  'contaminated',
  'storage_or_transport_incident',
  'registered_in_error',
  'other',
] as const;
export type DisposalReason = (typeof DISPOSAL_REASONS)[number];
