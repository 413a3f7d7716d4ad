// Validation of untrusted input whose cost is bounded by the input's size, not by how
// many errors it holds: at most a few errors are reported, and a large invalid value
// is answered with the first error only. (templates/lib/validators.js generates the
// same two-pass logic into the AMQP validators.)
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

/** Most errors a validation reports; the rest are cut and `truncated` is set. */
export const MAX_REPORTED_ERRORS = 10;

/**
 * Above any of these, an invalid value gets only the first error. Collecting every
 * error (ajv `allErrors`) walks the whole value and, through nested `$ref`s, costs
 * quadratically in the number of errors: 21,000 empty order lines took seconds.
 * The largest valid message of either contract stays well inside them.
 */
export const FULL_REPORT_LIMITS = {
  /** JSON values (objects, arrays and scalars, nested included). */
  values: 2000,
  /** Characters of one string (the contracts' longest maxLength is 4000). */
  stringLength: 4096,
  /** Characters of all strings together. */
  totalStringLength: 64 * 1024,
} as const;

export interface BoundedValidation {
  readonly valid: boolean;
  /** At most MAX_REPORTED_ERRORS errors; empty when valid. */
  readonly errors: ErrorObject[];
  /** True when more errors may exist than are listed. */
  readonly truncated: boolean;
}

/**
 * Validates with `firstError` (ajv without allErrors: stops at the first error, so a
 * 50-item bound fails before item 51 is looked at); only a small invalid value is
 * validated again by `allErrors` (the same schema compiled with allErrors) to name
 * every invalid field, and the list is capped.
 */
export function boundedValidator(firstError: ValidateFunction, allErrors: ValidateFunction): (data: unknown) => BoundedValidation {
  return (data) => {
    if (firstError(data)) return { valid: true, errors: [], truncated: false };
    const first = firstError.errors ?? [];
    if (!isSmall(data)) return { valid: false, errors: first.slice(0, MAX_REPORTED_ERRORS), truncated: true };
    if (allErrors(data)) {
      // both compile one schema; disagreeing would be an ajv bug, and refusing is the safe side
      return { valid: false, errors: first.slice(0, MAX_REPORTED_ERRORS), truncated: false };
    }
    const all = allErrors.errors ?? first;
    return { valid: false, errors: all.slice(0, MAX_REPORTED_ERRORS), truncated: all.length > MAX_REPORTED_ERRORS };
  };
}

/** True when `data` is within FULL_REPORT_LIMITS; stops walking as soon as it is not. */
export function isSmall(data: unknown, limits: typeof FULL_REPORT_LIMITS = FULL_REPORT_LIMITS): boolean {
  let values = 0;
  let chars = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++values > limits.values) return false;
    if (typeof value === 'string') {
      chars += value.length;
      if (value.length > limits.stringLength || chars > limits.totalStringLength) return false;
    } else if (Array.isArray(value)) {
      if (values + value.length > limits.values) return false;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (values + entries.length > limits.values) return false;
      for (const [key, item] of entries) {
        chars += key.length;
        if (key.length > limits.stringLength || chars > limits.totalStringLength) return false;
        stack.push(item);
      }
    }
  }
  return true;
}
