/**
 * `batchmode rotate-webhook-key`: adds a new RS256 key pair for signing per-batch (dynamic)
 * webhook deliveries in the configured store. Every process signs with the newest key from its
 * next delivery on; the previous key stays published at /.well-known/jwks.json so receivers
 * holding a cached key set keep verifying. On the embedded store it runs while the server is
 * stopped (it takes the data directory's lock); against PostgreSQL, at any time.
 */
import type { Config } from '../config/settings.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { rotateSigningKey } from '../webhooks/index.js';
import { openStorage } from './open-storage.js';

/** Resolves the new key's id. */
export async function rotateWebhookKey(config: Config, logger: Logger): Promise<string> {
  const storage = await openStorage(config, logger);
  try {
    return (await rotateSigningKey(storage.store, systemClock)).kid;
  } finally {
    await storage.close();
  }
}
