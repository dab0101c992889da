/** `models/x` or `x` → `x`: the model id as batchmode stores and routes it. */
export const modelIdOf = (model: string): string => model.replace(/^models\//, '');
