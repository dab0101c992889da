/**
 * A forgiving JSON reader for request bodies.
 *
 * Google's own guide sends bodies that are not JSON: single-quoted strings
 * (`{'file': {'display_name': 'X'}}`) and, after shell expansion, bare words as values
 * (`{'file_name': files/123456}`). Users paste those samples as they are, so request bodies
 * are read with this parser. Strict JSON takes the fast path through `JSON.parse`; anything
 * else is read by a small recursive-descent parser that also accepts single-quoted strings,
 * unquoted keys, bare-word values, trailing commas and comments.
 *
 * Both paths refuse nesting deeper than MAX_JSON_DEPTH: `JSON.parse` itself copes with 100,000
 * levels, but whatever walks the value afterwards (validation, normalisation) recurses and
 * would overflow the stack, and the lenient parser recurses itself.
 */
import { MAX_JSON_DEPTH } from './json-depth.js';

/** Thrown with a position-bearing message when the text is not even lenient JSON. */
export class LenientJsonError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'LenientJsonError';
  }
}

/** Objects and arrays nested deeper than this are refused (no Gemini request comes close). */
export { MAX_JSON_DEPTH };

/** Parses `text` as JSON, falling back to the lenient grammar described above. */
export function parseLenientJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return new LenientParser(text, maxDepth).parseDocument();
  }
  const tooDeep = nestingBeyond(text, maxDepth);
  if (tooDeep !== -1) throw new LenientJsonError(`${tooDeepMessage(maxDepth)} at position ${tooDeep}`, tooDeep);
  return value;
}

const tooDeepMessage = (maxDepth: number): string => `nesting deeper than ${maxDepth} levels`;

/** Character codes `nestingBeyond` looks for. */
const CODE = { openBrace: 0x7b, openBracket: 0x5b, closeBrace: 0x7d, closeBracket: 0x5d, quote: 0x22, backslash: 0x5c } as const;

/**
 * The position of the first `{` or `[` nested deeper than `maxDepth`, or -1. Exact for text
 * that `JSON.parse` accepted (strict JSON: only double-quoted strings); one pass, no allocation.
 */
export function nestingBeyond(text: string, maxDepth: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === CODE.backslash) index++;
      else if (code === CODE.quote) inString = false;
    } else if (code === CODE.quote) {
      inString = true;
    } else if (code === CODE.openBrace || code === CODE.openBracket) {
      if (++depth > maxDepth) return index;
    } else if (code === CODE.closeBrace || code === CODE.closeBracket) {
      depth--;
    }
  }
  return -1;
}

const BARE_WORD_STOP = new Set([',', '}', ']', ':', '{', '[', '"', "'"]);
const ESCAPES: Record<string, string> = {
  '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

class LenientParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    this.skipSpace();
    const value = this.parseValue();
    this.skipSpace();
    if (this.index < this.text.length) this.fail(`unexpected '${this.text[this.index]}'`);
    return value;
  }

  private parseValue(): unknown {
    this.skipSpace();
    const char = this.text[this.index];
    if (char === undefined) this.fail('unexpected end of input');
    if (char === '{' || char === '[') {
      if (++this.depth > this.maxDepth) this.fail(tooDeepMessage(this.maxDepth));
      const nested = char === '{' ? this.parseObject() : this.parseArray();
      this.depth--;
      return nested;
    }
    if (char === '"' || char === "'") return this.parseString(char);
    return this.parseBareValue();
  }

  private parseObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.parseItems('}', () => {
      const key = this.parseKey();
      this.skipSpace();
      if (this.text[this.index] !== ':') this.fail(`expected ':' after key '${key}'`);
      this.index++;
      Object.defineProperty(result, key, {
        value: this.parseValue(), enumerable: true, writable: true, configurable: true,
      });
    });
    return result;
  }

  private parseArray(): unknown[] {
    const result: unknown[] = [];
    this.parseItems(']', () => result.push(this.parseValue()));
    return result;
  }

  /** Past the opening bracket: items separated by commas (one may trail) up to `close`. */
  private parseItems(close: '}' | ']', parseItem: () => void): void {
    this.index++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === close) {
        this.index++;
        return;
      }
      parseItem();
      this.skipSpace();
      const next = this.text[this.index];
      if (next === ',') this.index++;
      else if (next !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private parseKey(): string {
    const char = this.text[this.index];
    if (char === '"' || char === "'") return this.parseString(char);
    const start = this.index;
    while (this.index < this.text.length && /[\w$-]/.test(this.text[this.index] ?? '')) this.index++;
    if (start === this.index) this.fail('expected a key');
    return this.text.slice(start, this.index);
  }

  private parseString(quote: string): string {
    let result = '';
    this.index++;
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) this.fail('unterminated string');
      this.index++;
      if (char === quote) return result;
      if (char !== '\\') {
        result += char;
        continue;
      }
      const escaped = this.text[this.index];
      this.index++;
      if (escaped === 'u') {
        const hex = this.text.slice(this.index, this.index + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        result += String.fromCharCode(Number.parseInt(hex, 16));
        this.index += 4;
      } else if (escaped === '\n') {
        // A backslash-newline continues the string, as in JavaScript.
      } else if (escaped !== undefined && escaped in ESCAPES) {
        result += ESCAPES[escaped];
      } else {
        this.fail(`bad escape '\\${escaped ?? ''}'`);
      }
    }
  }

  /** Numbers, true/false/null, or any run of characters up to a delimiter (a bare string). */
  private parseBareValue(): unknown {
    const start = this.index;
    while (this.index < this.text.length) {
      const char = this.text[this.index] ?? '';
      if (BARE_WORD_STOP.has(char) || char === '\n' || char === '\r') break;
      this.index++;
    }
    const word = this.text.slice(start, this.index).trim();
    if (word === '') this.fail(`unexpected '${this.text[this.index] ?? 'end of input'}'`);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(word)) return Number(word);
    return word;
  }

  private skipSpace(): void {
    for (;;) {
      const char = this.text[this.index];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\uFEFF') {
        this.index++;
      } else if (char === '/' && this.text[this.index + 1] === '/') {
        while (this.index < this.text.length && this.text[this.index] !== '\n') this.index++;
      } else if (char === '/' && this.text[this.index + 1] === '*') {
        const end = this.text.indexOf('*/', this.index + 2);
        this.index = end === -1 ? this.text.length : end + 2;
      } else {
        return;
      }
    }
  }

  private fail(message: string): never {
    throw new LenientJsonError(`${message} at position ${this.index}`, this.index);
  }
}
