import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { Validator, ValidatorTypes } from '../../components/Validator.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  const model = modelOf(asyncapi, originalAsyncAPI);
  return model.messages.flatMap((m) => [
    <File name={`${m.name}.js`}><Validator model={model} message={m} /></File>,
    <File name={`${m.name}.d.ts`}><ValidatorTypes message={m} /></File>,
  ]);
}
