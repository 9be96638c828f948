/** Every queue the system uses; the worker refuses to start if one has no processor. */
export enum QueueName {
  Mail = 'mail',
}

export enum JobName {
  SendMail = 'send-mail',
}

export interface SendMailJob {
  to: string;
  template: 'account-created';
  data: Record<string, string>;
}

/** The typed payload of each job. */
export interface JobPayloads {
  [JobName.SendMail]: SendMailJob;
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SendMail]: QueueName.Mail,
};

/** Retries with exponential back-off; finished jobs are trimmed so the backend stays small. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
