// Payload filters: a MongoDB-style query on the envelope, run by sift with an operator allowlist.
// No $where, no $function: nothing in a filter can run code. Regexes are length-capped.
import { createRequire } from 'node:module';
import type { FieldError } from './errors.ts';

const require = createRequire(import.meta.url);
const sift = require('sift') as typeof import('sift');

const ALLOWED = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$options', '$and', '$or', '$nor', '$not', '$all', '$size', '$elemMatch', '$type'] as const;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_REGEX_LENGTH = 200;
const MAX_DEPTH = 16;
const MAX_NODES = 500;

// createQueryOperation (unlike sift's default export) knows only the operations it is given.
const operations = Object.fromEntries(ALLOWED.map((op) => [op, (sift as any)[op]]));

export type FilterFn = (envelope: unknown) => boolean;

/** Returns field errors for `filter` (empty when it is safe and valid). */
export function checkFilter(filter: unknown): FieldError[] {
  const errors: string[] = [];
  let nodes = 0;
  const walk = (node: unknown, depth: number): void => {
    if (++nodes > MAX_NODES) return void errors.push(`has more than ${MAX_NODES} parts; simplify it`);
    if (depth > MAX_DEPTH) return void errors.push(`is nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(node)) return node.forEach((item) => walk(item, depth + 1));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (FORBIDDEN_KEYS.has(key) || key.split('.').some((part) => FORBIDDEN_KEYS.has(part))) {
        errors.push(`uses the forbidden key "${key}"`);
      } else if (key.startsWith('$') && !(ALLOWED as readonly string[]).includes(key)) {
        errors.push(`uses the unsupported operator "${key}" (allowed: ${ALLOWED.join(' ')})`);
      } else if (key === '$regex') {
        checkRegex(value, errors);
      } else if (key.startsWith('$')) {
        const problem = operandProblem(key, value);
        if (problem) errors.push(`${key} ${problem}`);
      }
      walk(value, depth + 1);
    }
  };
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    return [{ field: 'filter', message: 'filter must be a JSON object such as {"data.awarded_reward.reward_id": {"$in": ["REW-1"]}}' }];
  }
  walk(filter, 0);
  if (errors.length === 0) {
    try {
      compileFilter(filter as Record<string, unknown>)({});
    } catch (error) {
      errors.push(`is not a valid query: ${(error as Error).message}`);
    }
  }
  return [...new Set(errors)].map((message) => ({ field: 'filter', message: `filter ${message}` }));
}

const isPlainObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isComparable = (value: unknown) => typeof value === 'number' || typeof value === 'string';

/** What is wrong with an operator's operand, as MongoDB would see it; null when it is fine. */
function operandProblem(operator: string, value: unknown): string | null {
  switch (operator) {
    case '$in':
    case '$nin':
    case '$all':
      return Array.isArray(value) ? null : 'needs an array, e.g. {"$in": ["REW-1", "REW-2"]}';
    case '$and':
    case '$or':
    case '$nor':
      return Array.isArray(value) && value.length > 0 && value.every(isPlainObject) ? null : 'needs a non-empty array of queries';
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return isComparable(value) ? null : 'needs a number or a string';
    case '$exists':
      return typeof value === 'boolean' ? null : 'needs true or false';
    case '$not':
      return isPlainObject(value) ? null : 'needs an operator expression, e.g. {"$not": {"$eq": 3}}';
    case '$elemMatch':
      return isPlainObject(value) ? null : 'needs a query object';
    case '$size':
      return Number.isInteger(value) && (value as number) >= 0 ? null : 'needs a whole number';
    case '$type':
      return typeof value === 'string' || typeof value === 'number' ? null : 'needs a type name';
    case '$options':
      return typeof value === 'string' && /^[imsx]*$/.test(value) ? null : 'needs regex flags from "imsx"';
    default:
      return null;
  }
}

function checkRegex(value: unknown, errors: string[]): void {
  const source = value instanceof RegExp ? value.source : value;
  if (typeof source !== 'string') return void errors.push('$regex must be a string');
  if (source.length > MAX_REGEX_LENGTH) return void errors.push(`$regex is longer than ${MAX_REGEX_LENGTH} characters`);
  if (/(\([^)]*[+*}][^)]*\))[+*{]/.test(source)) return void errors.push('$regex has a nested quantifier such as (a+)+ that can run for ever');
  try {
    new RegExp(source);
  } catch {
    errors.push(`$regex "${source}" is not a valid regular expression`);
  }
}

/** Compile a filter that passed checkFilter. */
export function compileFilter(filter: Record<string, unknown>): FilterFn {
  const operation = sift.createQueryOperation(filter as any, null, { operations } as any);
  return sift.createOperationTester(operation) as FilterFn;
}
