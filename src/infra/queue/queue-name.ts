/** Every queue the system uses; the worker refuses to start if one has no processor. */
export enum QueueName {
  Mail = 'mail',
  ReservationEvents = 'reservation-events',
  Waitlist = 'waitlist',
  /** Periodic housekeeping, driven by BullMQ job schedulers. */
  Scheduled = 'scheduled',
  /** Packaging and delivering datasets to the DX platform. */
  Handovers = 'handovers',
  /** Rendering signed service reports (PDF) off the API process. */
  Documents = 'documents',
}

export enum JobName {
  SendMail = 'send-mail',
  ReservationEvent = 'reservation-event',
  WaitlistOffer = 'waitlist-offer',
  NoShowSweep = 'no-show-sweep',
  WaitlistExpirySweep = 'waitlist-expiry-sweep',
  RetentionDigest = 'retention-digest',
  HandoverDeliver = 'handover-deliver',
  RenderServiceReport = 'render-service-report',
}

export type ReservationEventType = 'reservation.created' | 'reservation.confirmed' | 'reservation.rejected' | 'reservation.cancelled' | 'reservation.checked_in' | 'reservation.completed' | 'reservation.no_show' | 'reservation.moved';

export interface ReservationEventJob {
  event: ReservationEventType;
  reservationId: string;
}

/** Each has a text in `templates/mail/<name>.mustache`. */
export const MAIL_TEMPLATES = [
  'account-created',
  'reservation-status',
  'waitlist-offer',
  'equipment-problem',
  'retention-due',
  'service-request-status',
  'service-request-for-center',
  'quote-issued',
  'report-ready',
  'invoice-issued',
] as const;
export type MailTemplateName = (typeof MAIL_TEMPLATES)[number];

export interface SendMailJob {
  to: string;
  template: MailTemplateName;
  data: Record<string, string>;
}

/** The typed payload of each job. */
export interface JobPayloads {
  [JobName.SendMail]: SendMailJob;
  [JobName.ReservationEvent]: ReservationEventJob;
  [JobName.WaitlistOffer]: { entryId: string };
  [JobName.NoShowSweep]: Record<string, never>;
  [JobName.WaitlistExpirySweep]: Record<string, never>;
  [JobName.RetentionDigest]: Record<string, never>;
  [JobName.HandoverDeliver]: { handoverId: string };
  [JobName.RenderServiceReport]: { reportId: string };
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SendMail]: QueueName.Mail,
  [JobName.ReservationEvent]: QueueName.ReservationEvents,
  [JobName.WaitlistOffer]: QueueName.Waitlist,
  [JobName.NoShowSweep]: QueueName.Scheduled,
  [JobName.WaitlistExpirySweep]: QueueName.Scheduled,
  [JobName.RetentionDigest]: QueueName.Scheduled,
  [JobName.HandoverDeliver]: QueueName.Handovers,
  [JobName.RenderServiceReport]: QueueName.Documents,
};

/**
 * Jobs that need more than the defaults. A handover keeps trying through a long outage of the
 * platform: 14 attempts with the default exponential backoff (JOB_BACKOFF_MS = 2 s, doubling)
 * span about 4.5 hours before the handover is `failed` (`retrySchedule` gives the figures);
 * every retry sends the same package under the same idempotency key.
 */
export const JOB_OPTIONS: Partial<Record<JobName, { attempts?: number }>> = {
  [JobName.HandoverDeliver]: { attempts: 14 },
};

/**
 * Retries with exponential back-off from `backoffMs` (JOB_BACKOFF_MS: the wait after the first
 * failure, doubled after each further one); finished jobs are trimmed so the backend stays small.
 */
export function defaultJobOptions(backoffMs: number) {
  return {
    attempts: 8,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  } as const;
}
