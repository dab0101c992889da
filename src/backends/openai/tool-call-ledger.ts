/**
 * Pairs Gemini function responses with the function calls they answer, so each chat `tool`
 * message carries the `tool_call_id` of a call in the assistant message just before it.
 * A call keeps its Gemini `id`; one without gets `call_<n>`, n counting every function call of
 * the request from 0, so the same request always yields the same ids. A response matches an
 * open call by id, else the first unanswered call of the same name.
 */
import type { Part } from '../../core/gemini-types.js';
import { invalidRequest } from './invalid-request.js';

type FunctionCall = NonNullable<Part['functionCall']>;
type FunctionResponse = NonNullable<Part['functionResponse']>;

/** The calls of the latest model turn and which of them have been answered. */
export interface ToolCallLedger {
  /** Starts a model turn: its calls replace the previous turn's. */
  startTurn(): void;
  /** Records a call of the current turn and returns its tool_call_id. */
  call(functionCall: FunctionCall): string;
  /** The tool_call_id `functionResponse` answers; throws INVALID_ARGUMENT when it answers none. */
  answer(functionResponse: FunctionResponse, where: string): string;
}

/** A ledger for one request. */
export function createToolCallLedger(): ToolCallLedger {
  let callCount = 0;
  let open: { id: string; name: string | undefined; isAnswered: boolean }[] = [];
  return {
    startTurn() {
      open = [];
    },
    call(functionCall) {
      const id = functionCall.id !== undefined && functionCall.id !== '' ? functionCall.id : `call_${callCount}`;
      callCount += 1;
      open.push({ id, name: functionCall.name, isAnswered: false });
      return id;
    },
    answer(functionResponse, where) {
      const { id, name } = functionResponse;
      const match =
        (id === undefined ? undefined : open.find((call) => !call.isAnswered && call.id === id)) ??
        open.find((call) => !call.isAnswered && call.name === name);
      if (match === undefined) {
        throw invalidRequest(`${where}: the functionResponse for '${name ?? ''}' answers no functionCall of the model turn before it`);
      }
      match.isAnswered = true;
      return match.id;
    },
  };
}
