/** Activity failure types that no retry can fix; shared by the activities and the retry policies. */
export const NON_RETRYABLE_FAILURES = [
  'BadRequest',
  'NotFound',
  'InvalidCredentials',
  'InvalidResponse',
  'MediaHostUnreachable',
  'InvalidDestination',
  'DestinationUnavailable',
  'InvalidMedia',
  'StorageRequestRejected',
  'DestinationFull',
  'DestinationUnwritable',
];
