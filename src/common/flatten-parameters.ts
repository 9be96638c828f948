/**
 * Nested instrument parameters as dotted paths with scalar values, in key order (arrays become
 * JSON text): `{ beam: { kV: 5 } }` → `[['beam.kV', 5]]`, or `parameters.beam.kV` with a prefix.
 * A null or undefined value says nothing about the measurement and is left out (RDE metadata
 * has no null value). The package metadata, MaiML conditions and the service report all list
 * parameters this way.
 */
export function flattenParameters(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.keys(value)
    .sort()
    .flatMap((key): [string, unknown][] => {
      const item = value[key];
      const path = prefix ? `${prefix}.${key}` : key;
      if (item === undefined || item === null) return [];
      if (typeof item === 'object' && !Array.isArray(item)) return flattenParameters(item as Record<string, unknown>, path);
      return [[path, Array.isArray(item) ? JSON.stringify(item) : item]];
    });
}
