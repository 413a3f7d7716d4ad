import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../../lib/model.js';
import { renderValidators } from '../../lib/validators.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return renderValidators(buildModel(asyncapi, originalAsyncAPI)).map((f) => <File name={f.name}>{f.content}</File>);
}
