/**
 * Model-name globs (`gemini-*`): `*` matches any run of characters, everything else matches
 * itself. The one glob matcher of the model routes and the model config.
 */

/** Whether `name` is a glob rather than an exact name. */
export function isGlob(name: string): boolean {
  return name.includes('*');
}

/** A whole-string RegExp for `glob`. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
