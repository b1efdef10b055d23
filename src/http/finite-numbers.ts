import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/*
 * Ajv coerces "1e309" and "Infinity" to Infinity and then skips its range
 * checks, which it applies to finite numbers only; so every validated query
 * and body is checked for numbers that are not finite once validation has
 * coerced them. JSON cannot carry NaN, and Ajv refuses a JSON Infinity itself.
 */
export async function refuseInfiniteNumbers(request: FastifyRequest): Promise<void> {
  for (const [part, values] of [['querystring', request.query], ['body', request.body]] as const) {
    if (typeof values !== 'object' || values === null || Array.isArray(values) || Buffer.isBuffer(values)) continue;
    for (const [name, value] of Object.entries(values)) {
      const numbers = Array.isArray(value) ? value : [value];
      if (numbers.some((item) => typeof item === 'number' && !Number.isFinite(item))) {
        throw new AppError('bad_request', `The ${part} parameter ${name} must be a finite number.`);
      }
    }
  }
}
