/**
 * The webhooks module's only entry for api/ and server/: the WebhookService behind the API's
 * routes, the dispatcher every process runs, the signing-key management the server and the
 * CLI use, and the destination policy's URI check the batch API applies to `webhookConfig.uris`.
 */
export { createWebhookService } from './webhook-service.js';
export type { RevocationBehavior, WebhookInput, WebhookPage, WebhookPatch, WebhookService, WebhookServiceDeps } from './webhook-service.js';
export { createWebhookDispatcher } from './dispatcher.js';
export type { DispatcherSettings, WebhookDispatcher, WebhookDispatcherDeps } from './dispatcher.js';
export { ensureSigningKey, jwks, rotateSigningKey } from './signing-keys.js';
export { checkWebhookUri, DESTINATION_POLICIES } from './destination-policy.js';
export type { DestinationPolicy } from './destination-policy.js';
export { truncateSecret } from './signing-secret.js';
