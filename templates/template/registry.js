import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { renderRegistry } from '../lib/topology.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="registry.ts">{renderRegistry(buildModel(asyncapi, originalAsyncAPI))}</File>;
}
