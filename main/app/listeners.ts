// A set of event listeners, for the core's app-wide and per-session events.
export class Listeners<T> {
  private readonly set = new Set<(payload: T) => void>();

  /** Adds `listener`; the returned function removes it. */
  add(listener: (payload: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(payload: T): void {
    for (const l of [...this.set]) l(payload);
  }

  clear(): void {
    this.set.clear();
  }
}
