import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { Skeleton } from '../../components/Skeleton.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return modelOf(asyncapi, originalAsyncAPI).services.flatMap((s) =>
    s.receives.map((r) => <File name={`${s.name}.${r.handler}.ts`}><Skeleton service={s} receive={r} /></File>));
}
