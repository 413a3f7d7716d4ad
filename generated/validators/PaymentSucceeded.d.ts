// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ErrorObject } from 'ajv';
import type { PaymentSucceeded } from '../types.ts';

/** True when data is a valid PaymentSucceeded payload; otherwise `validate.errors` says why. */
declare const validate: { (data: unknown): data is PaymentSucceeded; errors?: ErrorObject[] | null };
export { validate };
export default validate;
