/** How extension pages talk to the background: the typed message table over runtime messaging. */
import { sendRuntimeMessage } from './browser-api.ts';
import { callBackground, type MessageType, type RequestOf, type ResponseOf } from './messages.ts';

export function askBackground<K extends MessageType>(type: K, ...request: RequestOf<K> extends null ? [] : [RequestOf<K>]): Promise<ResponseOf<K>> {
  return callBackground(sendRuntimeMessage, type, ...request);
}
