/** @shoal/api: the stateless Kinesis endpoint. */
export { startApiServer } from './api-server';
export type { ApiServer, ApiServerOptions } from './api-server';
export { Dispatcher } from './dispatcher';
export type { ApiRequest, ApiResponse } from './dispatcher';
export { OPERATIONS } from './operations/index';
