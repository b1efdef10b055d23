import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/*
 * The headers that keep a browser from doing more with our answers than
 * reading them: every answer is JSON or a file, never a page, so the content
 * security policy allows nothing (`default-src 'none'`) and no page may frame
 * one. Other sites may not embed our answers (Cross-Origin-Resource-Policy:
 * same-origin); the logos, which boards show on their own pages, say
 * cross-origin on their route. HSTS is sent only when PUBLIC_URL is https:
 * behind plain http it would tell browsers to try https that is not there.
 */

const ONE_YEAR_SECONDS = 31_536_000;

export async function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    // includeSubDomains would bind every other host of the domain too, which is not ours to decide.
    strictTransportSecurity: publicUrl.startsWith('https:') ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: false } : false,
  });
}
