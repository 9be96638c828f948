import { startProcess } from './bootstrap';

/** The API only: run N of these behind a load balancer, with `worker.js` beside them. */
void startProcess({ api: true, worker: false });
