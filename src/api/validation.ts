// Ajv for requests: bodies are checked strictly (no type coercion: "3" is not 3), query strings
// with coercion ("limit=10" is 10). Every problem becomes one { field, message } naming the fix.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { AppError, validationError, type FieldError } from '../domain/errors.ts';

// ajv and ajv-formats are CommonJS with a default export.
const Ajv = ((AjvModule as any).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((formatsModule as any).default ?? formatsModule) as typeof formatsModule.default;

const common = { allErrors: true, strict: false, verbose: true } as const;

export const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false, removeAdditional: true, useDefaults: false }));
export const queryAjv = addFormats(new Ajv({ ...common, coerceTypes: true, removeAdditional: true, useDefaults: true }));

export function compileBody(schema: object): ValidateFunction {
  return bodyAjv.compile(schema);
}

function fieldOf(error: ErrorObject, prefix: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push((error.params as { missingProperty: string }).missingProperty);
  const field = path.join('.');
  return prefix ? (field ? `${prefix}.${field}` : prefix) : field || 'body';
}

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a JSON object',
    array: 'an array',
    null: 'null',
  };
  return (Array.isArray(type) ? type : [type]).map((t) => words[String(t)] ?? String(t)).join(' or ');
}

function range(schema: Record<string, unknown>): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined) return ` from ${minimum} to ${maximum}`;
  if (minimum !== undefined) return ` of at least ${minimum}`;
  if (maximum !== undefined) return ` of at most ${maximum}`;
  return '';
}

function messageOf(field: string, error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as Record<string, any>;
  const hint = schema.description ? ` (${schema.description})` : '';
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'type':
      return `${field} must be ${typeWords(schema.type)}${range(schema)}${hint}`;
    case 'minimum':
    case 'maximum':
      return `${field} must be ${typeWords(schema.type ?? 'number')}${range(schema)} (got ${JSON.stringify(error.data)})`;
    case 'minLength':
    case 'maxLength': {
      const { minLength = 0, maxLength } = schema;
      return maxLength === undefined
        ? `${field} must be at least ${minLength} characters long`
        : `${field} must be ${minLength} to ${maxLength} characters long`;
    }
    case 'minItems':
    case 'maxItems': {
      const { minItems = 0, maxItems } = schema;
      return maxItems === undefined ? `${field} needs at least ${minItems} items` : `${field} must have ${minItems} to ${maxItems} items`;
    }
    case 'const':
      return `${field} must be ${JSON.stringify(schema.const)}`;
    case 'enum':
      return `${field} must be one of ${schema.enum.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    case 'anyOf':
      return describeAnyOf(field, schema);
    case 'format':
      return `${field} must be a valid ${schema.format}${hint}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}${hint}`;
  }
}

function describeAnyOf(field: string, schema: Record<string, any>): string {
  const options = (schema.anyOf as Array<Record<string, any>>).map((option) =>
    option.const !== undefined ? JSON.stringify(option.const) : typeWords(option.type),
  );
  const hint = schema.description ? ` (${schema.description})` : '';
  return `${field} must be ${options.join(' or ')}${hint}`;
}

/** One entry per field: the most telling error for it (a union's own error over its branches'). */
export function toFieldErrors(errors: ErrorObject[], prefix = ''): FieldError[] {
  const byField = new Map<string, FieldError>();
  // An object sent for "object or null" (e.g. auto_disable): the object branch's own errors
  // (a missing member) say more than "must be a JSON object or null".
  const objectUnions = new Set(errors.filter(isObjectForObjectUnion).map((e) => e.instancePath));
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' && !objectUnions.has(e.instancePath)).map((e) => e.instancePath));
  for (const error of errors) {
    if (objectUnions.has(error.instancePath) && (error.keyword === 'anyOf' || error.keyword === 'type')) continue;
    if (error.keyword !== 'anyOf' && unionPaths.has(error.instancePath)) continue;
    const field = fieldOf(error, prefix);
    if (!byField.has(field)) byField.set(field, { field, message: messageOf(field, error) });
  }
  return [...byField.values()];
}

function isObjectForObjectUnion(error: ErrorObject): boolean {
  if (error.keyword !== 'anyOf' || error.data === null || typeof error.data !== 'object' || Array.isArray(error.data)) return false;
  const options = ((error.parentSchema ?? {}) as { anyOf?: Array<{ type?: unknown }> }).anyOf ?? [];
  return options.some((option) => option.type === 'object');
}

const topLevel = (field: string) => field.split(/[.[]/)[0];

/** The body without the top-level fields that failed the schema, for the checks of meaning. */
export function withoutInvalid<T>(body: unknown, shapeErrors: FieldError[]): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {} as T;
  if (shapeErrors.length === 0) return body as T; // the usual case: no copy
  const bad = new Set(shapeErrors.map((e) => topLevel(e.field)));
  return Object.fromEntries(Object.entries(body).filter(([key]) => !bad.has(key))) as T;
}

/** Schema errors and meaning errors together: one entry per bad field, the schema's first. */
export function mergeFieldErrors(shapeErrors: FieldError[], meaningErrors: FieldError[]): FieldError[] {
  const bad = new Set(shapeErrors.map((e) => topLevel(e.field)));
  return [...shapeErrors, ...meaningErrors.filter((e) => !bad.has(topLevel(e.field)))];
}

/**
 * Runs the checks of meaning on the fields that passed the schema, and reports every problem of
 * both kinds at once. `check` throws validation errors as AppError.
 */
export async function checkAll<T>(shapeErrors: FieldError[], check: () => Promise<T>): Promise<T> {
  let value: T;
  try {
    value = await check();
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_error' && shapeErrors.length > 0) {
      throw validationError(mergeFieldErrors(shapeErrors, error.details ?? []));
    }
    throw error;
  }
  if (shapeErrors.length > 0) throw validationError(shapeErrors);
  return value;
}

/** The schema errors fastify attached to a route declared with attachValidation. */
export function schemaErrors(request: { validationError?: Error & { validation?: unknown } }): FieldError[] {
  const validation = request.validationError?.validation;
  return Array.isArray(validation) ? toFieldErrors(validation as ErrorObject[]) : [];
}
