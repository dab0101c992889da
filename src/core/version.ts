/** batchmode's version (as in package.json), for `--version` and worker heartbeats. */
export const VERSION = '0.1.0';
