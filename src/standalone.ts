import { startProcess } from './bootstrap';

/** `npm start`: API and worker in one process, on the embedded PostgreSQL unless DATABASE_URL is set. */
void startProcess({ api: true, worker: true });
