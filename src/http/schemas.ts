import { Type, type TSchema } from '@sinclair/typebox';

/* Shapes shared by many endpoints: the envelope pieces and the date object. */

export const DateObjectSchema = Type.Object({
  utc: Type.String(),
  converted: Type.String(),
  formatted: Type.String(),
});

export const ErrorResponseSchema = Type.Object({
  data: Type.Object({
    message: Type.String(),
    status_code: Type.Integer(),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  }),
});

/** What a delete answers. */
export const DeletedResponse = Type.Object({ data: Type.Object({ acknowledged: Type.Boolean() }) });

export const dataEnvelope = <T extends TSchema>(data: T) => Type.Object({ data });


/**
 * A response that is a file's bytes in one of these types. Fastify sends a
 * buffer or stream as it is, so the schema documents and never serialises.
 */
export const fileResponse = (description: string, contentTypes: readonly string[]) => ({
  description,
  content: Object.fromEntries(contentTypes.map((type) => [type, { schema: Type.String({ contentMediaType: type }) }])),
});
