// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ErrorObject } from 'ajv';
import type { OrderPersisted } from '../types.ts';

/** True when data is a valid OrderPersisted payload; otherwise `validate.errors` says why. */
declare const validate: { (data: unknown): data is OrderPersisted; errors?: ErrorObject[] | null };
export { validate };
export default validate;
