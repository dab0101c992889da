/** The interactive endpoints' service (generate, stream, embed, count tokens): the entry point of models/. */
export { createInteractiveService } from './models-service.js';
export type { InteractiveService, TokenCount } from './models-service.js';
export type { CacheResolver } from './cached-content-use.js';
