/** The reference receiver of the handover contract (kept with the handover code so the bench can run it too). */
export { PutLogEntry, ReferenceReceiver, ReceivedPackage } from '../../src/handovers/reference-receiver';
