// In-process signals from the services to the scheduler, so a change is acted on at once, not at the next reconcile.
import { EventEmitter } from 'node:events';

interface DeliveryEventMap {
  'mailing-changed': [mailingId: number];
  'run-ready': [runId: number];
  /** A run was paused or cancelled: workers in this process stop taking its deliveries at once. */
  'run-halted': [runId: number];
  /** Test sends were queued: the worker in this process sends them now (others at their next reconcile). */
  'test-sends-queued': [];
}

/** The process-wide bus; a scheduler in another process picks the same changes up when it reconciles. */
export const deliveryEvents = new EventEmitter<DeliveryEventMap>();
deliveryEvents.setMaxListeners(50);
