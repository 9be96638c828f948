import { platformMove } from './handover-lifecycle';

describe('platformMove', () => {
  it('moves a delivered handover on to registered, published or rejected', () => {
    expect(platformMove('delivered', 'registered')).toBe('moves');
    expect(platformMove('delivered', 'published')).toBe('moves');
    expect(platformMove('delivered', 'rejected')).toBe('moves');
    expect(platformMove('registered', 'published')).toBe('moves');
    expect(platformMove('registered', 'rejected')).toBe('moves');
  });

  it('never moves a handover back', () => {
    expect(platformMove('published', 'registered')).toBe('refused');
    expect(platformMove('published', 'rejected')).toBe('refused');
    expect(platformMove('rejected', 'registered')).toBe('refused');
  });

  it('refuses a report about a handover that was never delivered', () => {
    for (const state of ['queued', 'packaging', 'sending', 'held', 'failed'] as const) expect(platformMove(state, 'registered')).toBe('refused');
  });

  it('changes nothing when the handover is there already', () => {
    expect(platformMove('registered', 'registered')).toBe('unchanged');
    expect(platformMove('published', 'published')).toBe('unchanged');
  });
});
