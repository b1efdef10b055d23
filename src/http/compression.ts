import type { FastifyInstance } from 'fastify';
import compress from '@fastify/compress';

/*
 * Answers of 1 KB and more are compressed when the client's Accept-Encoding
 * asks for it: brotli (at quality 4, the plugin's default, far cheaper than
 * 11) or gzip. Files (logos, CVs) opt out on their routes: they are mostly
 * compressed formats already, and keep their Content-Length. Request bodies
 * are not decompressed: a gzip body stays an unreadable one, as before.
 */

const THRESHOLD_BYTES = 1024;

export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, { threshold: THRESHOLD_BYTES, encodings: ['br', 'gzip'], globalDecompression: false });
}
