import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bodyFields, documentedOnly } from '../http/body.ts';
import { pageFrom, paginate } from '../http/pagination.ts';
import { JobSearchQuery } from '../search/criteria.ts';
import { searchJobs } from '../search/service.ts';
import { SuggestQuery, SuggestResponse, suggestTitles } from '../search/suggest.ts';
import { DeletedResponse, ErrorResponseSchema } from '../http/schemas.ts';
import { boardSiteOf } from '../tenancy/visibility.ts';
import { readAsCaller } from '../auth/guard.ts';
import { actorOf } from '../audit/trail.ts';
import { keptJobRenderer, type RenderedJobs } from './list-pages.ts';
import { presentJob, type JobResource, type PresentContext } from './presenter.ts';
import { CreateJobBody, UpdateJobBody } from './schema.ts';
import { JobListMeta, JobListResponse, JobResourceSchema, JobResponse } from './resource.ts';
import * as service from './service.ts';
import { findJobsByIds, type StoredJob } from './repository.ts';
import { findJobTotals, NO_COUNTS } from '../counters/repository.ts';
import { ifMatchCheck, isNotModified, sendNotModified, strongEtag } from '../http/conditional.ts';
import type { ViewCounter } from '../counters/views.ts';

export interface JobRouteOptions extends service.JobServices {
  readonly publicUrl: string;
  /** A board's read of a job counts a view (batched: src/counters/views.ts). */
  readonly views: ViewCounter;
  /** The jobs of list pages, rendered, kept until they change (list-pages.ts). */
  readonly renderedJobs: RenderedJobs;
}

/** Job ids in paths are positive integers; anything else is no route at all (404). */
const JOB_ID = ':id(^\\d{1,10}$)';

/* The path's pattern is the only check of the id, so its type is given to the route rather than read from a params schema. */
interface JobIdRoute {
  Params: { id: string };
}

const jobId = (request: { params: JobIdRoute['Params'] }) => Number(request.params.id);

const errors = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };
const writeErrors = { ...errors, 402: ErrorResponseSchema, 409: ErrorResponseSchema, 410: ErrorResponseSchema, 412: ErrorResponseSchema, 422: ErrorResponseSchema };



const JSON_UTF8 = 'application/json; charset=utf-8';
const LIST_OPEN = Buffer.from('{"data":[');

/*
 * A list page is written as bytes, serialised job by job from the schemas of
 * its response. One euro sign makes the page's JSON a two-byte string of some
 * 140 KB: Node then flattened the rope fast-json-stringify builds (about
 * 250 µs) to count its bytes, and encoded it again on writing. Job by job,
 * each string is small and goes to UTF-8 once; the bytes are the same. The
 * jobs' bytes may come from the list caches, the meta never does.
 */
function sendJobList(reply: FastifyReply, data: readonly Buffer[], meta: JobListMeta) {
  const serializeMeta = reply.compileSerializationSchema(JobListMeta);
  return reply.type(JSON_UTF8).send(Buffer.concat([LIST_OPEN, ...data, Buffer.from(`],"meta":${serializeMeta(meta)}}`)]));
}

export async function jobRoutes(untyped: FastifyInstance, options: JobRouteOptions) {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const services: service.JobServices = options;
  const tags = ['jobs'];
  const contextFor = (request: FastifyRequest): PresentContext => ({
    catalogue: options.catalogue,
    zone: request.caller.timezone,
    publicUrl: options.publicUrl,
    today: service.todayUtc(),
  });

  /* A job's ETag is that of its resource without stats: counts move with every board's read, the job does not. */
  const jobPrecondition = (request: FastifyRequest) =>
    ifMatchCheck(request, (current: StoredJob) => strongEtag(presentJob(current, contextFor(request))));

  app.get(
    '/job',
    {
      schema: {
        tags,
        operationId: 'listJobs',
        summary: 'List and search jobs: newest first, or by relevance, distance, closing date or pay',
        querystring: JobSearchQuery,
        response: { 200: JobListResponse, ...errors, 422: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const { query } = request;
      const page = pageFrom(query);
      const context = contextFor(request);
      const serializeJob = reply.compileSerializationSchema(JobResourceSchema);
      const renderer = keptJobRenderer(options.renderedJobs, context, (ids) => findJobsByIds(services.db, ids), serializeJob);
      const found = await searchJobs(services, request.caller, query, page, context.today, renderer);
      const selfUrl = new URL(request.url, options.publicUrl);
      return sendJobList(reply, found.page.data, {
        took: Math.round(performance.now() - started),
        pagination: paginate(page, found.total, found.page.count, selfUrl),
        total_relation: found.totalRelation,
        aggregations: found.aggregations,
      });
    },
  );

  app.get(
    '/job/suggest',
    { schema: { tags, operationId: 'suggestJobTitles', summary: 'Complete a job title', querystring: SuggestQuery, response: { 200: SuggestResponse, ...errors } } },
    async (request) => ({
      data: await suggestTitles(options.db, options.fullText, request.caller, request.query, service.todayUtc()),
    }),
  );

  app.get<JobIdRoute>(
    `/job/${JOB_ID}`,
    { config: { readsAuthGeneration: true }, schema: { tags, operationId: 'readJob', summary: 'Read one job', response: { 200: JobResponse, ...writeErrors } } },
    async (request, reply) => {
      const id = jobId(request);
      const { stored, totals } = service.requireLiveReading(await readAsCaller(request, (caller) => service.readJob(services, caller, id)));
      const { caller } = request;
      const job = presentJob(stored, contextFor(request));
      const etag = strongEtag(job);
      if (caller.kind === 'board') {
        const siteId = boardSiteOf(caller, stored.sites.map((site) => site.id));
        if (siteId !== undefined) options.views.count(stored.job.id, siteId);
      }
      if (isNotModified(request, etag)) return sendNotModified(reply, etag);
      reply.header('etag', etag);
      if (caller.kind === 'vendor') return { data: { ...job, stats: totals ?? NO_COUNTS } };
      return { data: job };
    },
  );

  app.post(
    '/job',
    {
      config: { idempotent: true },
      schema: { tags, operationId: 'createJob', summary: 'Create a job', body: CreateJobBody, response: { 201: JobResponse, ...writeErrors } },
      validatorCompiler: documentedOnly,
    },
    async (request, reply) => {
      const stored = await service.createJob(services, request.caller, bodyFields(request), actorOf(request));
      const job = presentJob(stored, contextFor(request));
      return reply.code(201).header('etag', strongEtag(job)).send({ data: { ...job, stats: NO_COUNTS } });
    },
  );

  app.post<JobIdRoute>(
    `/job/${JOB_ID}/update`,
    {
      config: { idempotent: true },
      schema: { tags, operationId: 'updateJob', summary: 'Update the fields sent', body: UpdateJobBody, response: { 200: JobResponse, ...writeErrors } },
      validatorCompiler: documentedOnly,
    },
    async (request, reply) => {
      const stored = await service.updateJob(services, request.caller, jobId(request), bodyFields(request), actorOf(request), jobPrecondition(request));
      const job = presentJob(stored, contextFor(request));
      reply.header('etag', strongEtag(job));
      return { data: { ...job, stats: await findJobTotals(options.db, stored.job.id) } };
    },
  );

  app.post<JobIdRoute>(
    `/job/${JOB_ID}/delete`,
    { config: { idempotent: true }, schema: { tags, operationId: 'deleteJob', summary: 'Delete a job (soft)', response: { 200: DeletedResponse, ...writeErrors } } },
    async (request) => {
      await service.deleteJob(services, request.caller, jobId(request), actorOf(request), jobPrecondition(request));
      return { data: { acknowledged: true } };
    },
  );
}
