import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import { withCodeExamples } from './docs-examples.ts';

/*
 * GET /docs: the interactive reference (Swagger UI through its Fastify
 * plugin), drawn from the same document as GET /openapi.json, with every
 * file served from the package itself so that it works without the internet.
 * Each operation carries curl, Python and PHP examples made from the
 * document. "Try it out" sends its requests to this server.
 *
 * The API's own content security policy allows nothing, as its answers are
 * never pages; the reference is one, so its routes get a policy of their own:
 * its scripts, styles and images from this server only, no frames, and
 * requests ("try it out") to this server only.
 */

export const DOCS_PREFIX = '/docs';

const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  // Swagger UI sets style attributes as it renders.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export async function registerDocsPage(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: {
      // Without the top bar (Swagger's logo and a box to load another document): this server's reference only.
      layout: 'BaseLayout',
      docExpansion: 'list',
      deepLinking: true,
      displayOperationId: true,
      tryItOutEnabled: false,
      persistAuthorization: false,
    },
    transformSpecification: (document) => withCodeExamples(document as Record<string, unknown>, publicUrl),
    // Set by the plugin on each of its answers, whatever policy another plugin set or did not.
    staticCSP: DOCS_CSP,
  });
}
