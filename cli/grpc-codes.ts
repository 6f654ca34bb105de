/** The gRPC status codes the CLI decides on (the numbers of the gRPC specification; @grpc/grpc-js is not ours to import). */
export const GRPC_CODE = { INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;
