import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { ServiceContract } from '../../components/ServiceContract.js';
import { ServiceIndex } from '../../components/ServiceIndex.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  const { services } = modelOf(asyncapi, originalAsyncAPI);
  return [
    ...services.map((s) => <File name={`${s.name}.ts`}><ServiceContract service={s} /></File>),
    <File name="index.ts"><ServiceIndex services={services} /></File>,
  ];
}
