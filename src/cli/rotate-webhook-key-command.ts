/** `batchmode rotate-webhook-key`: a new key pair for signing per-batch webhook deliveries (see server/rotate-webhook-key.ts). */
import type { Command } from 'commander';
import type { Config } from '../config/settings.js';
import { createLogger } from '../lib/logger.js';
import { registerSettingsCommand } from './setting-options.js';

async function rotate(config: Config): Promise<void> {
  const { rotateWebhookKey } = await import('../server/rotate-webhook-key.js');
  const kid = await rotateWebhookKey(config, createLogger({ level: config.logLevel }));
  process.stdout.write(`new webhook signing key ${kid}: it signs from now on; the previous key stays published at /.well-known/jwks.json\n`);
}

export function registerRotateWebhookKeyCommand(program: Command): void {
  registerSettingsCommand(program, 'rotate-webhook-key', 'Add a new key pair for signing per-batch webhook deliveries (JWT, RS256)', rotate);
}
