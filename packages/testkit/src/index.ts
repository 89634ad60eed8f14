export {
  type ChatCompletionsServer,
  type ChatCompletionsServerOptions,
  startChatCompletionsServer,
} from './chat-completions-server.js';
export { countingFetch } from './counting-fetch.js';
export { largeDataUrl } from './data-url.js';
export { type Fault, type FaultProxy, startFaultProxy } from './fault-proxy.js';
export type { ServiceControls, ServiceFault, ServiceRequest } from './json-service.js';
export {
  type LibreTranslateServer,
  type LibreTranslateServerOptions,
  startLibreTranslateServer,
} from './libretranslate-server.js';
export {
  type LongrunServer,
  type ProcessOptions,
  type RunningProcess,
  SERVER_MAIN,
  type ServerOptions,
  startProcess,
  startServer,
} from './process.js';
export { type SseEvent, sseBlocks } from './sse.js';
export { type SseWaited, type SseWaitOptions, TERMINAL_STATUSES, waitBySse } from './sse-waiter.js';
export { freePort, type ProxiedConnection, startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { removeDir, tempDir } from './temp.js';
