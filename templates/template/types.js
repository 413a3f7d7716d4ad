import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { renderTypes } from '../lib/ts-types.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="types.ts">{renderTypes(buildModel(asyncapi, originalAsyncAPI))}</File>;
}
