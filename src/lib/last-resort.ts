/**
 * The last resort for a long-running process: an exception nothing caught or a promise
 * rejection nothing handled is a bug, and after it the process's state is unknown. It is logged
 * with its stack and origin, and the process exits non-zero at once; crash safety (leases that
 * lapse, shard logs resumed from their last stored result, results written atomically) takes
 * over when the supervisor restarts it. No expected failure path may reach this: the tests
 * inject full disks, unreachable S3 and PostgreSQL, hung backends and vanishing clients.
 */
import type { Logger } from './logger.js';

/** EX_SOFTWARE: an internal software error. */
export const LAST_RESORT_EXIT_CODE = 70;

export function installLastResort(logger: Pick<Logger, 'error'>, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on('uncaughtException', (error, origin) => {
    logger.error('fatal: uncaught exception; exiting (work in progress resumes after a restart)', { origin, error });
    exit(LAST_RESORT_EXIT_CODE);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('fatal: unhandled promise rejection; exiting (work in progress resumes after a restart)', { error: reason });
    exit(LAST_RESORT_EXIT_CODE);
  });
}
