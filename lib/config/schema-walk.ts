/**
 * Reading the config schema's structure (zod 4 definitions) for error messages: which keys are
 * valid at a key path, what each alternative of a union looks like, where else a key is valid.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'nonoptional', 'readonly', 'catch']);

/** The schema under defaults, optionals and transforms. */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The literal values a schema accepts (a literal or an enum), or undefined. */
function literalValues(s: z.ZodType): unknown[] | undefined {
  const def = defOf(unwrap(s));
  if (def.type === 'literal') return def.values;
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  return undefined;
}

/** The options of a union that fit `value`: by discriminator when it has one, else all of them. */
function unionOptions(def: Def, value: unknown): z.ZodType[] {
  const options = def.options ?? [];
  if (!def.discriminator || !isRecord(value)) return options;
  const fits = (o: z.ZodType): boolean => {
    const d = defOf(unwrap(o));
    if (d.type === 'union') return (d.options ?? []).some(fits);
    const field = d.shape?.[def.discriminator!];
    return field === undefined || (literalValues(field)?.includes(value[def.discriminator!]) ?? true);
  };
  const chosen = options.filter(fits);
  return chosen.length ? chosen : options;
}

/** The object schemas that can stand at `path` for this raw value (several when a union is ambiguous). */
export function objectsAt(root: z.ZodType, path: readonly (string | number)[], raw: unknown): z.ZodType[] {
  let current: { schema: z.ZodType; value: unknown }[] = [{ schema: root, value: raw }];
  for (let i = 0; i <= path.length; i++) {
    const flat: { schema: z.ZodType; value: unknown }[] = [];
    const expand = (schema: z.ZodType, value: unknown) => {
      const s = unwrap(schema);
      const def = defOf(s);
      if (def.type === 'union') unionOptions(def, value).forEach((o) => expand(o, value));
      else flat.push({ schema: s, value });
    };
    current.forEach(({ schema, value }) => expand(schema, value));
    if (i === path.length) return flat.filter(({ schema }) => defOf(schema).type === 'object').map(({ schema }) => schema);
    const key = path[i];
    current = flat.flatMap(({ schema, value }) => {
      const def = defOf(schema);
      const child = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
      if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) return [{ schema: def.shape[key], value: child }];
      if (def.type === 'array' && typeof key === 'number' && def.element) return [{ schema: def.element, value: child }];
      if (def.type === 'record' && def.valueType) return [{ schema: def.valueType, value: child }];
      return [];
    });
  }
  return [];
}

/** The keys valid at `path` (the union of all candidate objects' keys). */
export function keysAt(root: z.ZodType, path: readonly (string | number)[], raw: unknown): string[] {
  return [...new Set(objectsAt(root, path, raw).flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
}

/** What the alternatives of the union at `path` accept, in words ("a string", "a mapping with key 'init'"). */
export function unionForms(root: z.ZodType, path: readonly (string | number)[], raw: unknown): string[] {
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parents = objectsAt(root, parentPath, raw);
  const field = parents.map((p) => (typeof key === 'string' ? defOf(p).shape?.[key] : undefined)).find(Boolean);
  if (!field) return [];
  const u = defOf(unwrap(field));
  return (u.options ?? []).map(describeSchema);
}

function describeSchema(schema: z.ZodType): string {
  const described = (schema as unknown as { description?: string }).description;
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'object') {
    const keys = Object.keys(def.shape ?? {});
    return `a mapping with key${keys.length === 1 ? '' : 's'} ${keys.map((k) => `'${k}'`).join(', ')}`;
  }
  if (described) return described;
  const values = literalValues(s);
  if (values) return values.map((v) => JSON.stringify(v)).join(' or ');
  return { string: 'a string', number: 'a number', boolean: 'true or false', array: 'a list' }[def.type] ?? def.type;
}

/**
 * Labelled object levels of the schema, for "'epochs' is a key of finetune steps": the top
 * level, each step kind ("<kind> steps") and nested mappings ("'lora' in finetune steps").
 */
export function keyLevels(root: z.ZodType, stepsKey = 'steps'): { label: string; keys: string[] }[] {
  const levels: { label: string; keys: string[] }[] = [];
  const visit = (schema: z.ZodType, label: string, depth: number) => {
    const s = unwrap(schema);
    const def = defOf(s);
    if (def.type === 'union') return def.options?.forEach((o) => visit(o, label, depth));
    if (def.type === 'array' && def.element) return visit(def.element, label, depth);
    if (def.type !== 'object' || depth > 4) return;
    const shape = def.shape ?? {};
    const kind = shape.kind ? literalValues(shape.kind)?.[0] : undefined;
    const own = depth === 1 && typeof kind === 'string' ? `${kind} steps` : label;
    const existing = levels.find((l) => l.label === own);
    if (existing) existing.keys.push(...Object.keys(shape).filter((k) => !existing.keys.includes(k)));
    else levels.push({ label: own, keys: Object.keys(shape) });
    for (const [k, v] of Object.entries(shape)) visit(v, k === stepsKey && depth === 0 ? 'steps' : `'${k}' in ${own}`, depth + 1);
  };
  visit(root, 'the experiment', 0);
  return levels;
}
