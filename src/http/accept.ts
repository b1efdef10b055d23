import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/*
 * Version 1 is chosen by Accept. Any media range that admits JSON without
 * naming another version is served v1; an Accept that admits no v1 JSON is 406.
 */
const V1_RANGES = new Set([
  '*/*',
  'application/*',
  'application/json',
  'application/vnd.jb.v1+json',
  'application/vnd.jb+json',
]);

export function acceptsVersionOne(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const refused = parameters.some((p) => /^q=0(\.0*)?$/.test(p.replace(/\s+/g, '')));
    return !refused && V1_RANGES.has(type);
  });
}

export async function negotiateVersion(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!acceptsVersionOne(request.headers.accept)) {
    throw new AppError('not_acceptable', 'This API serves application/vnd.jb.v1+json only.');
  }
}
