/** The Temporal failure types activities and workflows raise, named once; the CLI and retry policies decide by them. */
export const FAILURE_TYPE = {
  RateLimited: 'RateLimited',
  Unauthorized: 'Unauthorized',
  LinkExpired: 'LinkExpired',
  StorageRequest: 'StorageRequest',
  BadRequest: 'BadRequest',
  NotFound: 'NotFound',
  InvalidCredentials: 'InvalidCredentials',
  InvalidResponse: 'InvalidResponse',
  MediaHostUnreachable: 'MediaHostUnreachable',
  InvalidDestination: 'InvalidDestination',
  DestinationUnavailable: 'DestinationUnavailable',
  InvalidMedia: 'InvalidMedia',
  InvalidInput: 'InvalidInput',
  StorageRequestRejected: 'StorageRequestRejected',
  DestinationFull: 'DestinationFull',
  DestinationUnwritable: 'DestinationUnwritable',
} as const;

/** Activity failure types that no retry can fix; shared by the activities and the retry policies. */
export const NON_RETRYABLE_FAILURES: string[] = [
  FAILURE_TYPE.BadRequest,
  FAILURE_TYPE.NotFound,
  FAILURE_TYPE.InvalidCredentials,
  FAILURE_TYPE.InvalidResponse,
  FAILURE_TYPE.MediaHostUnreachable,
  FAILURE_TYPE.InvalidDestination,
  FAILURE_TYPE.DestinationUnavailable,
  FAILURE_TYPE.InvalidMedia,
  FAILURE_TYPE.StorageRequestRejected,
  FAILURE_TYPE.DestinationFull,
  FAILURE_TYPE.DestinationUnwritable,
];
