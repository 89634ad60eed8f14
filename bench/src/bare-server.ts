import { jobSchema } from '@longrun/server/schemas';
import Fastify from 'fastify';

/**
 * The ceiling for status reads: a bare Fastify route serving a job's JSON
 * from memory, serialised by the same response schema as longrun's route.
 */
const job = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const app = Fastify({ logger: false });
app.addSchema(jobSchema);
app.get('/v1/jobs/:id', { schema: { response: { 200: { $ref: 'Job#' } } } }, async () => job);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  `listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
