// Signals from the services to the scheduler, so a change is acted on at once, not at the next reconcile. On
// PostgreSQL they also reach every other process's scheduler (src/db/event-bridge.ts); the reconcile is the backstop.
import { EventBus } from '../event-bus.js';

interface DeliveryEventMap {
  'mailing-changed': [mailingId: number];
  'run-ready': [runId: number];
  /** A run was paused or cancelled: workers stop taking its deliveries at once. */
  'run-halted': [runId: number];
  /** Test sends were queued: a scheduler's test sender sends them now. */
  'test-sends-queued': [];
}

/** The process-wide bus; every event on it is shared with the other processes on the same PostgreSQL database. */
export const deliveryEvents = new EventBus<DeliveryEventMap>('delivery', [
  'mailing-changed',
  'run-ready',
  'run-halted',
  'test-sends-queued',
]);
deliveryEvents.setMaxListeners(50);
