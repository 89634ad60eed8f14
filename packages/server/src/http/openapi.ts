import type { JsonObject } from '../jobs/model.js';

/** A job type as the OpenAPI document describes it. */
export interface DescribedType {
  type: string;
  description: string;
  inputSchema: JsonObject;
}

type Schema = JsonObject;

/** A schema a processor declared, made fit to sit inside the document. */
function embeddable(schema: Schema): Schema {
  const { $id: _id, $schema: _schema, ...rest } = structuredClone(schema);
  return rest;
}

/**
 * The body of `POST /v1/jobs` as a union discriminated by `type`: one variant
 * per registered type, told apart by its `type` (a one-value enum), with the
 * route's other fields and that type's input schema, so that a generated
 * client types each type's input. The variants stay inline in the request
 * body, where generators read a field with a default as one the caller may
 * leave out (openapi-typescript makes it required in a component); inline,
 * they take no `discriminator` object, which selects only named schemas.
 */
export function jobCreateUnion(body: Schema, types: readonly DescribedType[]): Schema {
  const properties = (body.properties ?? {}) as Record<string, Schema>;
  const required = ((body.required ?? []) as string[]).filter((f) => f !== 'input');
  const variants = types.map((t) => {
    const input = embeddable(t.inputSchema);
    const inputRequired = Array.isArray(input.required) && input.required.length > 0;
    return {
      ...body,
      title: `${t.type} job`,
      description: t.description,
      required: inputRequired ? [...required, 'input'] : required,
      properties: {
        ...properties,
        type: { type: 'string', enum: [t.type], description: 'The job type.' },
        input,
      },
    };
  });
  return { oneOf: variants };
}

type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };

/**
 * The OpenAPI document as served: the one generated from the route schemas,
 * with this server's address and the job types registered now (so types added
 * at run time are in it). `base` is left as it was.
 */
export function servedSpec(
  base: Schema,
  { origin, types }: { origin: string; types: readonly DescribedType[] },
): Schema {
  const doc = structuredClone(base);
  doc.servers = [{ url: origin, description: 'The server that served this document.' }];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const json = paths['/v1/jobs']?.post?.requestBody?.content?.['application/json'];
  if (json?.schema && types.length > 0) json.schema = jobCreateUnion(json.schema, types);
  // Each item of a batch is such a body too (with its idempotency_key).
  const batch = paths['/v1/jobs/batch']?.post?.requestBody?.content?.['application/json']?.schema;
  const jobs = (batch?.properties as Record<string, Schema> | undefined)?.jobs;
  if (jobs?.items && types.length > 0) jobs.items = jobCreateUnion(jobs.items as Schema, types);
  return doc;
}
