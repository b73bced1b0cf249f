// The answer rendered from a cached value, kept beside it: a status read that hits the cache renders
// nothing and, through src/http/plugins/kept-json.ts, serializes nothing either (issue 16: rendering and
// serializing were a fifth of a cached read's CPU). A view is a pure function of its source (a cache
// entry, immutable and replaced whenever its rows change) and of the inputs named with it (another
// entry, configuration values such as the public URL), so it is used again only for that same source and those same
// inputs. Views are frozen: a caller that tried to change one would change every later answer.
export function keptViews<S extends object, V extends object>() {
  const kept = new WeakMap<S, { inputs: readonly unknown[]; view: Readonly<V> }>();
  return (source: S, inputs: readonly unknown[], render: () => V): Readonly<V> => {
    const k = kept.get(source);
    if (k !== undefined && k.inputs.length === inputs.length && k.inputs.every((x, i) => x === inputs[i])) return k.view;
    const view = Object.freeze(render());
    kept.set(source, { inputs, view });
    return view;
  };
}
