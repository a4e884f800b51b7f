// Kernel paths that may reach learner C code return Maybe<T>: a plain value on
// the fast path, a Promise only when the C code slept (ARCHITECTURE.md decision 3).
export type Maybe<T> = T | Promise<T>;

export function andThen<T, U>(v: Maybe<T>, f: (t: T) => Maybe<U>): Maybe<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
