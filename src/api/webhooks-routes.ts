/**
 * Google's WebhookService (static webhooks, one set per tenant) under `/v1beta/webhooks` (and
 * `/v1/webhooks`, where Google's REST reference also puts it), and the public keys that verify
 * dynamic (per-batch) deliveries at `/.well-known/jwks.json`, which needs no API key: a
 * receiver fetches it to check the JWT in `webhook-signature`.
 */
import type { WebhookService } from '../webhooks/index.js';
import { readJsonBody, sendJson, type RouteContext } from './http.js';
import type { Route } from './router.js';
import { encodePageToken, parsePageSize, parsePageToken } from './wire/pagination.js';
import { parseRevocation, parseWebhookInput, parseWebhookPatch, toWebhookResource } from './wire/webhook-resource.js';

const ROOT = '/(?:v1beta|v1)/webhooks';
const WEBHOOK_ID = '(?<webhookId>[^/:]+)';
/** Google's default and largest page (ListWebhooksRequest: "at most 50"). */
const WEBHOOK_PAGES = { pageSize: 50, maxPageSize: 1000 };
const BODY_BYTES = 64 * 1024;

export function webhooksRoutes(deps: { webhooks: WebhookService }): Route[] {
  const { webhooks } = deps;
  const idOf = ({ params }: RouteContext): string => params.webhookId ?? '';
  return [
    {
      methods: ['POST'],
      pattern: new RegExp(`^${ROOT}$`),
      handler: async ({ request, response, tenantId }) => {
        const { webhook, newSigningSecret } = await webhooks.create(tenantId, parseWebhookInput(await readJsonBody(request, BODY_BYTES)));
        sendJson(response, 200, toWebhookResource(webhook, newSigningSecret));
      },
    },
    {
      methods: ['GET'],
      pattern: new RegExp(`^${ROOT}$`),
      handler: async ({ response, url, tenantId }) => {
        const page = await webhooks.list(tenantId, parsePageSize(url, WEBHOOK_PAGES), parsePageToken(url));
        sendJson(response, 200, {
          webhooks: page.webhooks.map((webhook) => toWebhookResource(webhook)),
          ...(page.next ? { next_page_token: encodePageToken(page.next) } : {}),
        });
      },
    },
    {
      methods: ['GET'],
      pattern: new RegExp(`^${ROOT}/${WEBHOOK_ID}$`),
      handler: async (context) => sendJson(context.response, 200, toWebhookResource(await webhooks.get(context.tenantId, idOf(context)))),
    },
    {
      methods: ['PATCH'],
      pattern: new RegExp(`^${ROOT}/${WEBHOOK_ID}$`),
      handler: async (context) => {
        const patch = parseWebhookPatch(await readJsonBody(context.request, BODY_BYTES), context.url);
        sendJson(context.response, 200, toWebhookResource(await webhooks.update(context.tenantId, idOf(context), patch)));
      },
    },
    {
      methods: ['DELETE'],
      pattern: new RegExp(`^${ROOT}/${WEBHOOK_ID}$`),
      handler: async (context) => {
        await webhooks.delete(context.tenantId, idOf(context));
        sendJson(context.response, 200, {});
      },
    },
    {
      methods: ['POST'],
      pattern: new RegExp(`^${ROOT}/${WEBHOOK_ID}:ping$`),
      handler: async (context) => {
        await readJsonBody(context.request, BODY_BYTES);
        await webhooks.ping(context.tenantId, idOf(context));
        sendJson(context.response, 200, {});
      },
    },
    {
      methods: ['POST'],
      pattern: new RegExp(`^${ROOT}/${WEBHOOK_ID}:rotateSigningSecret$`),
      handler: async (context) => {
        const revocation = parseRevocation(await readJsonBody(context.request, BODY_BYTES));
        sendJson(context.response, 200, { secret: await webhooks.rotateSigningSecret(context.tenantId, idOf(context), revocation) });
      },
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/\.well-known\/jwks\.json$/,
      isPublic: true,
      handler: async ({ response }) => {
        // Receivers may cache it briefly; JWKS clients refetch when a JWT names a kid they lack (after a rotation).
        response.setHeader('cache-control', 'public, max-age=60');
        sendJson(response, 200, await webhooks.jwks());
      },
    },
  ];
}
