/** An error answer of the Gemini REST surface (a google.rpc.Status), or a transport failure. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly httpStatus: number,
    /** google.rpc status name, e.g. NOT_FOUND, when the server said. */
    readonly status: string | undefined,
  ) {
    super(message);
  }
}

/** Reads a failed response into an ApiError (the body is a google.rpc.Status when it is JSON). */
export async function apiErrorOf(response: Response, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; status?: unknown } };
    const message = typeof body.error?.message === 'string' ? body.error.message : text;
    const status = typeof body.error?.status === 'string' ? body.error.status : undefined;
    return new ApiError(`${what}: ${response.status}${status ? ` ${status}` : ''}: ${message}`, response.status, status);
  } catch {
    return new ApiError(`${what}: HTTP ${response.status}${text ? `: ${text.slice(0, 500)}` : ''}`, response.status, undefined);
  }
}
