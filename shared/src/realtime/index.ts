export { createEventHub, type EventHub, type EventHubOptions, type RealtimeEvent } from './hub';
export {
  createSocketServer,
  onSocketEvent,
  principalOfSocket,
  removeFromRoom,
  SOCKETS_LEAVE,
  userRoom,
  type SocketsLeavePayload,
  type RunningSocketServer,
  type SocketAck,
  type SocketServer,
  type Socket,
} from './sockets';
export { judged, type StreamVerdict } from './judged';
export { attachGraphqlWs, type GraphqlWsOptions } from './graphql-ws';
export { connectionAccessToken } from './connection-params';
export {
  DEFAULT_MAX_BUFFERED_BYTES,
  RealtimeCloseCode,
  serveGraphqlWs,
  type BoundedWsOptions,
  type WsExtra,
} from './ws-server';
export { channel } from './channel';
export {
  CALLER_EXTENSION,
  CALLERS_PARAM,
  CALLERS_PER_SUBSCRIPTION,
  NEXT_TO_MANY,
  nextFrame,
  nextToManyFrame,
  parseNextToMany,
  type NextToMany,
} from './fan-out-protocol';
