import { Type } from '@sinclair/typebox';
import { DateObjectSchema } from '../http/schemas.ts';
import { PaginationSchema } from '../http/pagination.ts';
import { presentDate } from '../http/dates.ts';
import { APPLICATION_STATUSES } from '../db/types.ts';
import type { StoredApplication } from './repository.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ApplicationResourceSchema = Type.Object({
  id: Type.Integer(),
  job_id: Type.Integer(),
  site: Type.Object({ id: Type.Integer(), handle: Type.String() }),
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.String(),
  phone: NullableString,
  cover_letter: NullableString,
  source: NullableString,
  status: Type.Union(APPLICATION_STATUSES.map((status) => Type.Literal(status))),
  notes: NullableString,
  cv: Type.Union([
    Type.Object({
      filename: Type.String(),
      content_type: Type.String(),
      size: Type.Integer(),
      links: Type.Object({ self: Type.String() }),
    }),
    Type.Null(),
  ]),
  created_at: DateObjectSchema,
  updated_at: DateObjectSchema,
});

export const ApplicationResponse = Type.Object({ data: ApplicationResourceSchema });
export const ApplicationListResponse = Type.Object({
  data: Type.Array(ApplicationResourceSchema),
  meta: Type.Object({ took: Type.Integer(), pagination: PaginationSchema }),
});

/** The application resource; only for an application not erased (an erased one answers 410). */
export function presentApplication({ application, site }: StoredApplication, zone: string, publicUrl: string) {
  const self = `${publicUrl}/api/application/${application.id}`;
  return {
    id: application.id,
    job_id: application.job_id,
    site,
    first_name: application.first_name ?? '',
    last_name: application.last_name ?? '',
    email: application.email ?? '',
    phone: application.phone,
    cover_letter: application.cover_letter,
    source: application.source,
    status: application.status,
    notes: application.notes,
    cv: application.cv_storage_key === null
      ? null
      : {
          filename: application.cv_filename ?? 'cv',
          content_type: application.cv_content_type ?? 'application/octet-stream',
          size: application.cv_size ?? 0,
          links: { self: `${self}/cv` },
        },
    created_at: presentDate(application.created_at, zone),
    updated_at: presentDate(application.updated_at, zone),
  };
}

export type ApplicationResource = ReturnType<typeof presentApplication>;
