/** The one configuration error: a bad flag, variable or config file. The CLI prints its message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
