import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/** MAINTENANCE_MODE=on: every API request is 503 until the server restarts without it. */
export async function refuseForMaintenance(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('retry-after', '300');
  throw new AppError('service_unavailable', '503 Service Unavailable: down for maintenance, back shortly.');
}
