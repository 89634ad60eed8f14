/** Response schemas of the seed API routes, for the OpenAPI document. */

export const messageErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', description: 'What went wrong, for people.' } },
  additionalProperties: { type: 'string' },
} as const;

/** Error responses for the OpenAPI document of a seed route. */
export function messageErrors(...statuses: number[]): Record<number, typeof messageErrorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, messageErrorSchema]));
}

/** A file response: its bytes, with the file's own content type. */
export function binary(description: string) {
  return {
    description,
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  };
}
