import { allowedServiceRequestActions, SERVICE_REQUEST_STATUSES, SERVICE_REQUEST_TRANSITIONS } from './service-request-lifecycle';

describe('service request lifecycle', () => {
  it('walks the main path one action at a time, each taken by the right party', () => {
    const path: [string, 'center' | 'client', string][] = [
      ['quote', 'center', 'submitted'],
      ['accept', 'client', 'quoted'],
      ['receive', 'center', 'accepted'],
      ['start', 'center', 'samples_received'],
      ['results', 'center', 'in_progress'],
      ['deliver', 'center', 'results_ready'],
      ['close', 'client', 'delivered'],
    ];
    for (const [action, party, from] of path) {
      expect(allowedServiceRequestActions(from as never, party)).toContain(action);
    }
  });

  it('lets results go back to in_progress, and nothing leave closed, rejected or cancelled', () => {
    expect(SERVICE_REQUEST_TRANSITIONS.reopen).toMatchObject({ from: ['results_ready'], to: 'in_progress' });
    for (const status of ['closed', 'rejected', 'cancelled'] as const) {
      expect(allowedServiceRequestActions(status, 'center')).toEqual([]);
      expect(allowedServiceRequestActions(status, 'client')).toEqual([]);
    }
  });

  it('keeps the client to its own decisions', () => {
    expect(allowedServiceRequestActions('submitted', 'client')).toEqual(['cancel']);
    expect(allowedServiceRequestActions('quoted', 'client')).toEqual(['accept', 'reject', 'cancel']);
    expect(allowedServiceRequestActions('quoted', 'center')).not.toContain('accept');
    expect(allowedServiceRequestActions('in_progress', 'client')).toEqual([]);
    expect(allowedServiceRequestActions('in_progress', 'center')).toEqual(['results', 'cancel']);
  });

  it('names only known statuses', () => {
    for (const t of Object.values(SERVICE_REQUEST_TRANSITIONS)) {
      for (const s of t.from) expect(SERVICE_REQUEST_STATUSES).toContain(s);
    }
  });
});
