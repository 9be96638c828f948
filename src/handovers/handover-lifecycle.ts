import { HandoverState } from './handover.entity';

/** What the platform reports about a delivered package (a callback, or the answer to a status question). */
export const PLATFORM_STATUSES = ['registered', 'published', 'rejected'] as const;
export type PlatformStatus = (typeof PLATFORM_STATUSES)[number];

/** Where the platform may move a handover from each state: forward only, never back. */
const FORWARD: Partial<Record<HandoverState, readonly PlatformStatus[]>> = {
  delivered: ['registered', 'published', 'rejected'],
  registered: ['published', 'rejected'],
};

/**
 * What a platform status does to a handover in state `from`: moves it on, finds it there
 * already (a late or repeated report: nothing changes), or is refused (it would move it back,
 * or it was never delivered).
 */
export function platformMove(from: HandoverState, to: PlatformStatus): 'moves' | 'unchanged' | 'refused' {
  if (from === to) return 'unchanged';
  return FORWARD[from]?.includes(to) ? 'moves' : 'refused';
}
