/**
 * The storage layer's public API: destinations (gs://, s3://, az://, local folders) that stream bytes in with
 * flat memory, compute and check md5/crc32c, attach metadata, and never make a half-written
 * object visible under its final name.
 */
export type { Destination, DestinationSpec, MetadataInput, ResumePoint, SmallWriteOptions, StorageDeps, StoredObject, WriteOptions } from './destination';
export { parseDestination, destinationUri, bucketNameProblem, s3BucketNameProblem } from './parse-destination';
export { createGcsClient, emulatorEndpoint } from './gcs/client';
export { createS3Client } from './s3/client';
export { containerNameProblem } from './parse-destination';
export { createAzureClient } from './azure/client';
export { openDestination } from './open-destination';
export { sweepStaleTempFiles } from './local/files';
export { ChecksumTransform, checksumsOf, type Checksums } from './checksums';
export {
  InvalidDestinationError,
  ObjectAlreadyExistsError,
  ObjectNotFoundError,
  ChecksumMismatchError,
  SizeMismatchError,
  DestinationUnavailableError,
  StorageRequestError,
} from './errors';
