/**
 * Values a template may read that need I/O (variables, connections, XComs). Rendering is
 * synchronous, so a template reads through a lazy map: a value not fetched yet is recorded as
 * missing and read as a placeholder; the caller fetches every missing value and renders again.
 * Dynamic names (`var.value[name]`) work, because the names come from the render itself.
 */
export class LazyLookups<T> {
  private readonly values = new Map<string, T | undefined>();
  private readonly missing = new Set<string>();

  constructor(private readonly placeholder: T) {}

  /** The value of `name`: fetched (undefined when absent), or the placeholder while it is not. */
  read(name: string): T | undefined {
    if (this.values.has(name)) return this.values.get(name);
    this.missing.add(name);
    return this.placeholder;
  }

  /** Whether `name` is known to exist or may still (not fetched yet). */
  mayExist(name: string): boolean {
    return !this.values.has(name) || this.values.get(name) !== undefined;
  }

  /** Names read since the last fetch. */
  pending(): string[] {
    return [...this.missing];
  }

  /** Fetches every pending name with `load`. */
  async fetchPending(load: (name: string) => Promise<T | undefined>): Promise<void> {
    const names = this.pending();
    this.missing.clear();
    const loaded = await Promise.all(names.map(load));
    for (const [i, name] of names.entries()) this.values.set(name, loaded[i]);
  }

  /**
   * An object whose every property reads through `read` (what `var.value` and `conn` are in a
   * template): properties report as own, so the template sandbox lets them be looked up.
   */
  asObject(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return new Proxy(
      {},
      {
        get: (_target, name) =>
          typeof name !== 'string' ? undefined : name in extra ? extra[name] : this.read(name),
        getOwnPropertyDescriptor: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          if (name in extra)
            return { value: extra[name], configurable: true, enumerable: false, writable: false };
          const value = this.read(name);
          return value === undefined
            ? undefined
            : { value, configurable: true, enumerable: true, writable: false };
        },
        has: (_target, name) => typeof name === 'string' && (name in extra || this.mayExist(name)),
      },
    );
  }
}
