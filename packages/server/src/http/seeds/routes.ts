import type { FastifyInstance } from 'fastify';
import type { FileService } from '../../files/service.js';
import type { JobService } from '../../jobs/service.js';
import type { WebhookRenderer } from '../../webhooks/model.js';
import { apiV1Routes } from './api-v1.js';
import { TOOLKIT_STATUS_FORMAT, toolkitRoutes, toolkitWebhook } from './toolkit.js';

/**
 * The routes of the APIs longrun also speaks (docs/seeds.md): thin adapters
 * that turn their requests into JobService operations and its jobs into their
 * shapes, holding nothing of their own.
 */
export async function seedRoutes(
  app: FastifyInstance,
  { service, files, uploadLimit }: { service: JobService; files: FileService; uploadLimit: number },
): Promise<void> {
  await app.register(apiV1Routes, { prefix: '/api/v1', service, files, uploadLimit });
  await app.register(toolkitRoutes, { service });
}

/** The webhook bodies those APIs send, by the format name their jobs' webhooks carry. */
export function seedWebhookFormats({ service }: { service: JobService }): Map<string, WebhookRenderer> {
  return new Map([[TOOLKIT_STATUS_FORMAT, toolkitWebhook({ service })]]);
}
