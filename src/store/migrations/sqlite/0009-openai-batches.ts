/**
 * OpenAI-compatible batches (issue 14): what the OpenAI surface keeps of a batch created through
 * it (endpoint, completion window as sent, metadata, the input file as named, the line errors of
 * a batch that failed validation), as one nullable JSON column; NULL on native batches.
 */
export const sql = `
ALTER TABLE batches ADD COLUMN openai TEXT;
`;
