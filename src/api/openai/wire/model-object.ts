/**
 * A model batchmode serves (the Gemini `Model` resource) as OpenAI's model object:
 * `{id, object: "model", created, owned_by}`, with Google's ids (`models/<id>`) as Google's
 * OpenAI-compatible surface answers them. Models carry no creation date here: `created` is 0.
 */
export interface OpenAIModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Who `owned_by` names: the models are Gemini's, whichever backend serves them. */
const OWNER = 'google';

/** `info`: the Gemini `Model` resource (only its `name`, `models/<id>`, is read). */
export function toOpenAIModel(info: { name: string }): OpenAIModelObject {
  const id = info.name.startsWith('models/') ? info.name : `models/${info.name}`;
  return { id, object: 'model', created: 0, owned_by: OWNER };
}
