import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { bodyFields, documentedOnly } from '../http/body.ts';
import { MULTIPART_LIMIT_BYTES } from '../http/multipart.ts';
import { PageQuery, pageFrom, paginate } from '../http/pagination.ts';
import { CalendarDate } from '../http/primitives.ts';
import { DeletedResponse, ErrorResponseSchema, fileResponse } from '../http/schemas.ts';
import { APPLICATION_STATUSES } from '../db/types.ts';
import { ApplyBody, UpdateApplicationBody } from './fields.ts';
import { attachmentDisposition, DOCUMENT_TYPES } from './documents.ts';
import { ApplicationListResponse, ApplicationResponse, presentApplication } from './presenter.ts';
import { actorOf } from '../audit/trail.ts';
import * as service from './service.ts';
import { CV_LINK_PATH } from './cv-links.ts';
import { isNotModified, sendNotModified, strongEtag } from '../http/conditional.ts';

/** Ids in paths are positive integers; anything else is no route at all (404). */
const ID = ':id(^\\d{1,10}$)';

interface IdRoute {
  Params: { id: string };
}

const idOf = (request: { params: IdRoute['Params'] }) => Number(request.params.id);

const errors = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema, 410: ErrorResponseSchema };
const writeErrors = { ...errors, 409: ErrorResponseSchema, 413: ErrorResponseSchema, 422: ErrorResponseSchema, 503: ErrorResponseSchema };



const CV_FILE = fileResponse('The CV, as the type it was recognised as', DOCUMENT_TYPES.map((type) => type.contentType));

const ApplicationListQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    status: Type.Optional(Type.Union(APPLICATION_STATUSES.map((status) => Type.Literal(status)))),
    created_from: Type.Optional(CalendarDate),
    created_to: Type.Optional(CalendarDate),
  }),
]);

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();

export async function applicationRoutes(untyped: FastifyInstance, options: service.ApplicationServices) {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['applications'];
  const present = (request: FastifyRequest, stored: Parameters<typeof presentApplication>[0]) =>
    presentApplication(stored, request.caller.timezone, options.publicUrl);

  app.post<IdRoute>(
    `/job/${ID}/apply`,
    {
      config: { idempotent: true },
      // Room for a 5 MB CV as base64 in JSON too; the CV's own limit (413) is the service's.
      bodyLimit: MULTIPART_LIMIT_BYTES,
      schema: {
        tags,
        operationId: 'applyForJob',
        summary: 'Apply for a job (board clients): stored (201), or a redirect to the employer (303) for REDIRECT jobs',
        body: ApplyBody,
        response: { 201: ApplicationResponse, 303: Type.Null(), ...writeErrors },
      },
      validatorCompiler: documentedOnly,
    },
    async (request, reply) => {
      const outcome = await service.applyForJob(options, request.caller, idOf(request), bodyFields(request), actorOf(request));
      if ('redirectTo' in outcome) return reply.code(303).header('location', outcome.redirectTo).send();
      return reply.code(201).send({ data: present(request, outcome.stored) });
    },
  );

  app.get<IdRoute & { Querystring: typeof ApplicationListQuery.static }>(
    `/job/${ID}/applications`,
    {
      schema: { tags, operationId: 'listJobApplications', summary: "A job's applications, newest first", querystring: ApplicationListQuery, response: { 200: ApplicationListResponse, ...errors } },
    },
    async (request) => {
      const started = performance.now();
      const { query } = request;
      const page = pageFrom(query);
      const filters = {
        status: query.status,
        createdFrom: query.created_from === undefined ? undefined : `${query.created_from}T00:00:00.000Z`,
        createdBefore: query.created_to === undefined ? undefined : dayAfter(query.created_to),
      };
      const found = await service.listJobApplications(options, request.caller, idOf(request), filters, page);
      return {
        data: found.rows.map((stored) => present(request, stored)),
        meta: {
          took: Math.round(performance.now() - started),
          pagination: paginate(page, found.total, found.rows.length, new URL(request.url, options.publicUrl)),
        },
      };
    },
  );

  app.get<IdRoute>(
    `/application/${ID}`,
    { schema: { tags, operationId: 'readApplication', summary: 'One application', response: { 200: ApplicationResponse, ...errors } } },
    async (request, reply) => {
      const application = present(request, await service.getApplication(options, request.caller, idOf(request)));
      const etag = strongEtag(application);
      if (isNotModified(request, etag)) return sendNotModified(reply, etag);
      reply.header('etag', etag);
      return { data: application };
    },
  );

  app.get<IdRoute>(
    `/application/${ID}/cv`,
    { schema: { tags, operationId: 'readApplicationCv', summary: "An application's CV file, as an attachment", response: { 200: CV_FILE, ...errors } }, compress: false },
    async (request, reply) => {
      const cv = await service.readCv(options, request.caller, idOf(request));
      return sendCv(reply, cv);
    },
  );

  app.post<IdRoute>(
    `/application/${ID}/update`,
    {
      config: { idempotent: true },
      schema: { tags, operationId: 'updateApplication', summary: "Change an application's status or notes", body: UpdateApplicationBody, response: { 200: ApplicationResponse, ...writeErrors } },
      validatorCompiler: documentedOnly,
    },
    async (request, reply) => {
      const application = present(request, await service.updateApplication(options, request.caller, idOf(request), bodyFields(request), actorOf(request)));
      reply.header('etag', strongEtag(application));
      return { data: application };
    },
  );

  app.post<IdRoute>(
    `/application/${ID}/delete`,
    { config: { idempotent: true }, schema: { tags, operationId: 'deleteApplication', summary: 'Erase an application: its personal data and CV', response: { 200: DeletedResponse, ...writeErrors } } },
    async (request) => {
      await service.deleteApplication(options, request.caller, idOf(request), actorOf(request));
      return { data: { acknowledged: true } };
    },
  );
}

type Cv = Awaited<ReturnType<typeof service.readCv>>;

/*
 * Never shown inline nor sniffed: a CV is the candidate's file, served as the bytes it was recognised as.
 * Its routes are not compressed: the file keeps its Content-Length.
 */
export function sendCv(reply: import('fastify').FastifyReply, cv: Cv) {
  return reply
    .type(cv.contentType)
    .header('content-length', cv.size)
    .header('content-disposition', attachmentDisposition(cv.filename))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(cv.body);
}

const CvLinkQuery = Type.Object({ expires: Type.Integer({ minimum: 0, maximum: 2 ** 40 }), signature: Type.String({ maxLength: 100 }) });

/** The signed CV links of SIGNUP_WITHPOST deliveries: outside /api, no token (the link is the authorisation). */
export async function cvLinkRoutes(app: FastifyInstance, options: service.ApplicationServices) {
  app.get<{ Params: { id: string }; Querystring: typeof CvLinkQuery.static }>(
    `${CV_LINK_PATH}/${ID}/cv`,
    {
      compress: false,
      schema: { tags: ['applications'], operationId: 'readCvByLink', summary: 'A CV by the signed link a delivery carries', security: [], querystring: CvLinkQuery, response: { 200: CV_FILE, 404: ErrorResponseSchema, 410: ErrorResponseSchema } },
    },
    async (request, reply) => {
      const cv = await service.readCvByLink(options, Number(request.params.id), request.query.expires, request.query.signature);
      return sendCv(reply, cv);
    },
  );
}
