/**
 * Wraps a repository so that every method's rejection passes through `map`: how an adapter
 * turns its infrastructure failures (a lost database connection, a full disk) into the
 * AppError the API answers with (UNAVAILABLE, 503). The wrapping sits outside the repository:
 * code inside it that inspects driver errors (unique violations, …) still sees them raw.
 */
export function mapErrors<T extends object>(repository: T, map: (error: unknown) => unknown): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      let guarded = wrapped.get(property);
      if (guarded === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        guarded = async (...args: unknown[]): Promise<unknown> => {
          try {
            return await method.apply(target, args);
          } catch (error) {
            throw map(error);
          }
        };
        wrapped.set(property, guarded);
      }
      return guarded;
    },
  });
}
