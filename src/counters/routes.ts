import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { Db } from '../db/types.ts';
import { requireVendor } from '../auth/caller.ts';
import { changeableJobCondition } from '../tenancy/visibility.ts';
import { findJob } from '../jobs/repository.ts';
import { todayUtc } from '../jobs/service.ts';
import { CalendarDate } from '../http/primitives.ts';
import { ErrorResponseSchema } from '../http/schemas.ts';
import { findDailyCounts, findJobTotals } from './repository.ts';

const CountsSchema = { views: Type.Integer(), apply_clicks: Type.Integer(), applications: Type.Integer() };
export const StatsSchema = Type.Object(CountsSchema);

const StatsQuery = Type.Object({ from: Type.Optional(CalendarDate), to: Type.Optional(CalendarDate) });
const StatsResponse = Type.Object({
  data: Type.Object({
    from: Type.String(),
    to: Type.String(),
    totals: StatsSchema,
    days: Type.Array(Type.Object({ day: Type.String(), site: Type.Object({ id: Type.Integer(), handle: Type.String() }), ...CountsSchema })),
  }),
});

/** The longest range one request reads: a year of days (by site), a bounded answer. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;
const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** GET /job/{id}/stats: a vendor's job's views, apply clicks and applications by day and site. */
export async function counterRoutes(untyped: FastifyInstance, { db }: { db: Db }) {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  app.get<{ Params: { id: string }; Querystring: typeof StatsQuery.static }>(
    '/job/:id(^\\d{1,10}$)/stats',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'readJobStats',
        summary: "A job's views, apply clicks and applications by UTC day and site (default: the last 30 days)",
        querystring: StatsQuery,
        response: { 200: StatsResponse, 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema },
      },
    },
    async (request) => {
      const jobId = Number(request.params.id);
      const job = await findJob(db, jobId, [changeableJobCondition(requireVendor(request.caller))]);
      if (!job) throw new AppError('not_found');
      const to = request.query.to ?? todayUtc();
      const from = request.query.from ?? shift(to, -29);
      if (from > to) throw new AppError('bad_request', 'The query parameter from must be a date before or equal to to.');
      if (shift(from, MAX_DAYS - 1) < to) throw new AppError('bad_request', `The query parameters from and to may span at most ${MAX_DAYS} days.`);
      const [totals, days] = await Promise.all([findJobTotals(db, jobId), findDailyCounts(db, jobId, from, to)]);
      return { data: { from, to, totals, days } };
    },
  );
}
