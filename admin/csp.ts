// AdminJS's pages need inline scripts (its initial state) and inline styles (styled-components), and link
// Google Fonts: this policy replaces the site's strict one for /admin responses only.
import type { RequestHandler } from 'express';

const ADMIN_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' data: https://fonts.gstatic.com",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/** Sets the back office's Content-Security-Policy (over the one helmet set for the site). */
export function adminContentSecurityPolicy(isProduction: boolean): RequestHandler {
  const policy = isProduction ? `${ADMIN_POLICY}; upgrade-insecure-requests` : ADMIN_POLICY;
  return (_req, res, next) => {
    res.set('Content-Security-Policy', policy);
    next();
  };
}
