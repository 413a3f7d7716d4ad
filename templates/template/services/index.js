import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../../lib/model.js';
import { renderServices } from '../../lib/services.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return renderServices(buildModel(asyncapi, originalAsyncAPI)).map((f) => <File name={f.name}>{f.content}</File>);
}
