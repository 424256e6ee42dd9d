/**
 * A module loaded the first time it is used rather than at start-up. `gates --version` and
 * `--help` then load little more than commander, and an SDK user with a bearer token never
 * loads the AWS signer. Bundlers keep such a `require` lazy too.
 */
export function lazyModule<T>(load: () => T): () => T {
  let loaded: { readonly module: T } | undefined;
  return () => {
    loaded ??= { module: load() };
    return loaded.module;
  };
}
