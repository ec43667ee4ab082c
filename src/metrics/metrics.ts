// The process's Prometheus series and the small hooks the engine and the web call: one registry per process, so
// every series is declared here and nowhere else (docs/DEPLOY.md lists them).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every series of this process; /metrics writes it out. */
export const metricsRegistry = new Registry();

// Node's own: event-loop lag, heap, GC, handles (prom-client's default metrics).
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 20 });

/** Read from the database at each scrape (database-gauges.ts), so every process reports the same totals. */
export const deliveriesByStatus = new Gauge({
  name: 'mailer_deliveries',
  help: 'Deliveries in the log by status (pending and sending counted in runs not yet ended)',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

/** Read from the database at each scrape: what each running run still has to send. */
export const runQueueDepth = new Gauge({
  name: 'mailer_run_queue_depth',
  help: 'Deliveries pending or being sent, per running run',
  labelNames: ['run_id'] as const,
  registers: [metricsRegistry],
});

const runStartLag = new Histogram({
  name: 'mailer_run_start_lag_seconds',
  help: "Time between a run's scheduled time and the moment it was started, in this process",
  buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 300, 1800, 3600],
  registers: [metricsRegistry],
});

const smtpReplySeconds = new Histogram({
  name: 'mailer_smtp_reply_seconds',
  help: 'Time from handing a message to the SMTP connection to its reply (or failure), by reply class',
  labelNames: ['class'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const smtpReplies = new Counter({
  name: 'mailer_smtp_replies_total',
  help: 'SMTP send attempts by reply class: 2xx, 4xx, 5xx, or the failure class when no reply code came',
  labelNames: ['class'] as const,
  registers: [metricsRegistry],
});

const outagePauses = new Counter({
  name: 'mailer_outage_pauses_total',
  help: 'Runs paused by this process because the SMTP server was unavailable',
  registers: [metricsRegistry],
});

const httpSeconds = new Histogram({
  name: 'mailer_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [metricsRegistry],
});

/** Called when a run is created: how late it started against its scheduled time (0 for "send now"). */
export function observeRunStart(scheduledAt: Date, startedAt: Date): void {
  runStartLag.observe(Math.max(0, startedAt.getTime() - scheduledAt.getTime()) / 1000);
}

/** The class of one SMTP reply: its code's hundred, or the failure class (timeout, connection, no_reply…). */
export function replyClassOf(reply: string, errorClass: string | null): string {
  const code = /^([2-5])\d\d\b/.exec(reply);
  if (code) return `${code[1]}xx`;
  return errorClass ?? 'other';
}

/** Called after every SMTP send attempt with how long the server took to answer it. */
export function observeSmtpReply(replyClass: string, seconds: number): void {
  smtpReplies.inc({ class: replyClass });
  smtpReplySeconds.observe({ class: replyClass }, seconds);
}

/** Called when a run is paused for an SMTP outage. */
export function countOutagePause(): void {
  outagePauses.inc();
}

/** Called when an HTTP response is finished, labelled by the route's pattern (never the raw URL). */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpSeconds.observe({ method, route, status: String(status) }, seconds);
}
