// `node --import ./test/support/module-trace.mjs …` records each module the process resolves
// into the file named by BATCHMODE_MODULE_TRACE.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
