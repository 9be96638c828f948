/**
 * The status machine of a service request, as data: which action leads from which status to
 * which, and who may take it. The service and the OpenAPI description both read it.
 *
 * submitted → quoted → accepted → samples_received → in_progress → results_ready → delivered → closed;
 * rejected | cancelled on the way; results_ready may go back to in_progress with a reason
 * (`reopen`); a delivered report may be amended (a new signed revision, status unchanged).
 */
export const SERVICE_REQUEST_STATUSES = [
  'submitted',
  'quoted',
  'accepted',
  'samples_received',
  'in_progress',
  'results_ready',
  'delivered',
  'closed',
  'rejected',
  'cancelled',
] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

export const SERVICE_REQUEST_ACTIONS = ['quote', 'accept', 'reject', 'receive', 'start', 'results', 'reopen', 'deliver', 'amend', 'close', 'cancel'] as const;
export type ServiceRequestAction = (typeof SERVICE_REQUEST_ACTIONS)[number];

/** `center`: staff of the request's center (or an admin); `client`: a member of the requesting organization. */
export type ServiceRequestParty = 'center' | 'client';

interface Transition {
  from: readonly ServiceRequestStatus[];
  /** `same` keeps the status (a new quote revision, more samples, an amended report). */
  to: ServiceRequestStatus | 'same';
  by: readonly ServiceRequestParty[];
}

export const SERVICE_REQUEST_TRANSITIONS: Record<ServiceRequestAction, Transition> = {
  quote: { from: ['submitted', 'quoted'], to: 'quoted', by: ['center'] },
  accept: { from: ['quoted'], to: 'accepted', by: ['client'] },
  // The center declines a request it cannot do; the client declines a quote.
  reject: { from: ['submitted', 'quoted'], to: 'rejected', by: ['center', 'client'] },
  receive: { from: ['accepted', 'samples_received'], to: 'samples_received', by: ['center'] },
  start: { from: ['samples_received'], to: 'in_progress', by: ['center'] },
  results: { from: ['in_progress'], to: 'results_ready', by: ['center'] },
  reopen: { from: ['results_ready'], to: 'in_progress', by: ['center'] },
  deliver: { from: ['results_ready'], to: 'delivered', by: ['center'] },
  amend: { from: ['delivered'], to: 'same', by: ['center'] },
  close: { from: ['delivered'], to: 'closed', by: ['center', 'client'] },
  cancel: { from: ['submitted', 'quoted', 'accepted', 'samples_received', 'in_progress'], to: 'cancelled', by: ['center', 'client'] },
};

/** The client may cancel only before the center has the samples; after that the center decides. */
export const CLIENT_CANCELLABLE: readonly ServiceRequestStatus[] = ['submitted', 'quoted', 'accepted'];

/** Where the client's rights are narrower than the center's: it rejects a quote (not a bare request), and cancels early. */
const CLIENT_FROM: Partial<Record<ServiceRequestAction, readonly ServiceRequestStatus[]>> = { reject: ['quoted'], cancel: CLIENT_CANCELLABLE };

/** Statuses in which the request's samples are still being worked on: they may not be shipped away. */
export const OPEN_STATUSES: readonly ServiceRequestStatus[] = ['submitted', 'quoted', 'accepted', 'samples_received', 'in_progress', 'results_ready'];

export function allowedServiceRequestActions(status: ServiceRequestStatus, party: ServiceRequestParty): ServiceRequestAction[] {
  return SERVICE_REQUEST_ACTIONS.filter((action) => {
    const t = SERVICE_REQUEST_TRANSITIONS[action];
    if (!t.from.includes(status) || !t.by.includes(party)) return false;
    return party !== 'client' || (CLIENT_FROM[action]?.includes(status) ?? true);
  });
}

/** Japanese names of the statuses, for notifications and documents. */
export const STATUS_JA: Record<ServiceRequestStatus, string> = {
  submitted: '受付',
  quoted: '見積提示',
  accepted: '見積承諾',
  samples_received: '試料受領',
  in_progress: '分析中',
  results_ready: '結果確定',
  delivered: '報告書発行',
  closed: '完了',
  rejected: '辞退',
  cancelled: '取消',
};
