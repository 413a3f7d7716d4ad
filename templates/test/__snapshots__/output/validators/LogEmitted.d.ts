// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ErrorObject } from 'ajv';
import type { LogEmitted } from '../types.ts';

/** True when data is a valid LogEmitted payload; otherwise `validate.errors` says why (at most 10; `truncated`: more may exist). */
declare const validate: { (data: unknown): data is LogEmitted; errors?: ErrorObject[] | null; truncated?: boolean };
export { validate };
export default validate;
