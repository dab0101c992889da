/**
 * Turns the readable `MESSAGE_TABLE` into the lookup structure the walker uses: per message one
 * Map from every accepted spelling (lowerCamelCase and snake_case) to a resolved field, with
 * nested message types linked directly so that the hot path does no name lookups.
 */
import type { FieldKind, MessageFields, MessageTypeName, ScalarKind } from './message-table.js';

/** Proto type names used in error messages, as Google's front end writes them. */
const SCALAR_LABELS: Readonly<Record<ScalarKind, string>> = {
  string: 'TYPE_STRING',
  bytes: 'TYPE_BYTES',
  number: 'TYPE_FLOAT',
  integer: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  boolean: 'TYPE_BOOL',
  enum: 'TYPE_ENUM',
};

const TYPE_URL_PREFIX = 'type.googleapis.com/google.ai.generativelanguage.v1beta.';

interface FieldBase {
  /** lowerCamelCase (proto3 json_name); the key written to the output. */
  readonly name: string;
  /** snake_case (proto name). */
  readonly protoName: string;
  readonly isRepeated: boolean;
  /** The (element) type as error messages name it: `TYPE_STRING`, `type.googleapis.com/…Content`. */
  readonly typeLabel: string;
}

/** A field whose value is a nested message. */
export interface CompiledMessageField extends FieldBase {
  readonly kind: 'message';
  readonly message: CompiledMessage;
}

/** A scalar or free-form field. */
export interface CompiledValueField extends FieldBase {
  readonly kind: ScalarKind | 'free';
}

/** One field, resolved. */
export type CompiledField = CompiledMessageField | CompiledValueField;

/** One message type, resolved: both spellings of every field map to the same entry. */
export interface CompiledMessage {
  readonly typeName: MessageTypeName;
  readonly typeLabel: string;
  readonly fields: ReadonlyMap<string, CompiledField>;
}

/** lowerCamelCase → snake_case: `_` before each capital, lowercased (`topK` → `top_k`). */
export const camelToSnake = (name: string): string => name.replace(/[A-Z]/g, (capital) => `_${capital.toLowerCase()}`);

const isScalarKind = (kind: FieldKind): kind is ScalarKind => kind in SCALAR_LABELS;

/** Resolves every message of `table`; throws on a field naming a type the table lacks, or on two fields sharing a spelling. */
export function compileMessageTable(
  table: Readonly<Record<MessageTypeName, MessageFields>>,
): Readonly<Record<MessageTypeName, CompiledMessage>> {
  const typeNames = Object.keys(table) as MessageTypeName[];
  const fieldMaps = new Map<MessageTypeName, Map<string, CompiledField>>();
  const compiled = {} as Record<MessageTypeName, CompiledMessage>;
  for (const typeName of typeNames) {
    const fields = new Map<string, CompiledField>();
    fieldMaps.set(typeName, fields);
    compiled[typeName] = { typeName, typeLabel: TYPE_URL_PREFIX + typeName, fields };
  }
  for (const typeName of typeNames) {
    const fields = fieldMaps.get(typeName);
    if (fields === undefined) continue;
    for (const [name, spec] of Object.entries(table[typeName])) {
      const isRepeated = spec.endsWith('[]');
      const kind = (isRepeated ? spec.slice(0, -2) : spec) as FieldKind;
      const protoName = camelToSnake(name);
      let field: CompiledField;
      if (kind === 'free') {
        field = { name, protoName, isRepeated, kind, typeLabel: 'google.protobuf.Value' };
      } else if (isScalarKind(kind)) {
        field = { name, protoName, isRepeated, kind, typeLabel: SCALAR_LABELS[kind] };
      } else {
        const message = compiled[kind] as CompiledMessage | undefined;
        if (message === undefined) throw new Error(`wire schema: ${typeName}.${name} names unknown type ${kind}`);
        field = { name, protoName, isRepeated, kind: 'message', message, typeLabel: message.typeLabel };
      }
      for (const spelling of protoName === name ? [name] : [name, protoName]) {
        if (fields.has(spelling)) throw new Error(`wire schema: ${typeName} has two fields spelled ${spelling}`);
        fields.set(spelling, field);
      }
    }
  }
  return compiled;
}
