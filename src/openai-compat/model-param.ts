/** A request body's `model`: required, a Gemini model id, with or without `models/`. */
import { modelIdOf } from '../core/model-name.js';
import { invalidValue } from './openai-input-error.js';
import { requiredString } from './read-fields.js';

/** The model id of `value` (the field at `param`), `models/` removed. Throws OpenAIInputError. */
export function modelOf(value: unknown, param: string): string {
  const model = modelIdOf(requiredString(value, param));
  if (model === '') throw invalidValue(param, "expected a model id such as 'gemini-2.5-flash'.");
  return model;
}
