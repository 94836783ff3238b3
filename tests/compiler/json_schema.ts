// A small validator for the JSON Schema subset docs/result.schema.json uses (type, const, enum,
// required, properties, additionalProperties, items, oneOf, minimum, local $ref). Tests use it to
// hold the library's results to the documented schema; it reports the first violation's path.

export type Schema = Record<string, unknown>;

export function validate(root: Schema, value: unknown, schema: Schema = root, path = '$'): string | null {
  if (typeof schema.$ref === 'string') {
    const target = (schema.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((s, k) => (s as Schema)[k], root);
    return validate(root, value, target as Schema, path);
  }
  if ('const' in schema && value !== schema.const) return `${path}: expected ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never))
    return `${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => is(t, value)))
      return `${path}: expected ${types.join(' or ')}, got ${JSON.stringify(value)}`;
  }
  if (Array.isArray(schema.oneOf)) {
    const ok = (schema.oneOf as Schema[]).filter((s) => validate(root, value, s, path) === null).length;
    if (ok !== 1) return `${path}: matches ${ok} of the oneOf alternatives, not exactly one`;
  }
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum)
    return `${path}: ${value} < ${schema.minimum}`;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in obj)) return `${path}: missing ${k}`;
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) {
        const e = validate(root, v, props[k]!, `${path}.${k}`);
        if (e) return e;
      } else if (schema.additionalProperties === false) return `${path}: unexpected property ${k}`;
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const e = validate(root, v, schema.additionalProperties as Schema, `${path}.${k}`);
        if (e) return e;
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const e = validate(root, value[i], schema.items as Schema, `${path}[${i}]`);
      if (e) return e;
    }
  }
  return null;
}

function is(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return !!v && typeof v === 'object' && !Array.isArray(v);
    default:
      return typeof v === t;
  }
}
