import { startProcess } from './bootstrap';

/** The job worker only: the outbox relay and every queue's processor. */
void startProcess({ api: false, worker: true });
