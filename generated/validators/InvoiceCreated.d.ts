// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ErrorObject } from 'ajv';
import type { InvoiceCreated } from '../types.ts';

/** True when data is a valid InvoiceCreated payload; otherwise `validate.errors` says why. */
declare const validate: { (data: unknown): data is InvoiceCreated; errors?: ErrorObject[] | null };
export { validate };
export default validate;
