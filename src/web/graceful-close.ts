// Stopping the web server without cutting a request in progress: no new connections, every request already
// received is answered, kept-alive connections close as soon as they are idle, and only what is still running
// when the grace period is over is cut.
import type { Server } from 'node:http';

export const SHUTDOWN_GRACE_MS = 10_000;

/** Resolves once the server has closed; never sooner than its requests in flight finish, unless `graceMs` passes. */
export function closeGracefully(server: Server, graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
  return new Promise((resolve) => {
    // A kept-alive connection that carried a request in flight goes idle once it is answered: close it then.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(closeIdle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
