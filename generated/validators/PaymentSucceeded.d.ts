// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ErrorObject } from 'ajv';
import type { PaymentSucceeded } from '../types.ts';

/** True when data is a valid PaymentSucceeded payload; otherwise `validate.errors` says why (at most 10; `truncated`: more may exist). */
declare const validate: { (data: unknown): data is PaymentSucceeded; errors?: ErrorObject[] | null; truncated?: boolean };
export { validate };
export default validate;
