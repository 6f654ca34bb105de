/**
 * Builds the Azure Blob client from the environment: AZURE_STORAGE_CONNECTION_STRING when set
 * (an account key or SAS; also how tests reach Azurite), otherwise the account's endpoint with
 * @azure/identity's DefaultAzureCredential (environment, workload or managed identity, Azure CLI, ...).
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { DestinationUnavailableError } from '../errors';

export const CONNECTION_STRING_VARIABLE = 'AZURE_STORAGE_CONNECTION_STRING';
/** The account for the credential chain when `--dest` is `az://container/...` (as the Azure CLI reads it). */
export const ACCOUNT_VARIABLE = 'AZURE_STORAGE_ACCOUNT';

/**
 * The client for `account` (from an https://<account>.blob.core.windows.net destination; else the
 * connection string's or AZURE_STORAGE_ACCOUNT's). Offline: nothing is contacted here.
 * @throws DestinationUnavailableError when the environment names no usable account or credentials.
 */
export function createAzureClient(account?: string, env: NodeJS.ProcessEnv = process.env): BlobServiceClient {
  const connectionString = env[CONNECTION_STRING_VARIABLE]?.trim();
  if (connectionString) {
    let client: BlobServiceClient;
    try {
      client = BlobServiceClient.fromConnectionString(connectionString);
    } catch {
      // The SDK's message may quote parts of the string; ours names the variable only.
      throw new DestinationUnavailableError(
        `${CONNECTION_STRING_VARIABLE} is not a usable connection string (it needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature)`,
        'az://',
        CONNECTION_STRING_VARIABLE,
      );
    }
    if (account && client.accountName !== account) {
      throw new DestinationUnavailableError(
        `the destination names storage account "${account}" but ${CONNECTION_STRING_VARIABLE} is for "${client.accountName}"`,
        `https://${account}.blob.core.windows.net`,
        CONNECTION_STRING_VARIABLE,
      );
    }
    return client;
  }
  const name = account ?? env[ACCOUNT_VARIABLE]?.trim();
  if (!name) {
    throw new DestinationUnavailableError(
      `az:// needs ${CONNECTION_STRING_VARIABLE}, or a storage account for the default credential chain: ` +
        `--dest https://<account>.blob.core.windows.net/<container> or ${ACCOUNT_VARIABLE}`,
      'az://',
      CONNECTION_STRING_VARIABLE,
    );
  }
  return new BlobServiceClient(`https://${name}.blob.core.windows.net`, defaultCredential());
}

/**
 * Loaded only when used: @azure/identity (with MSAL) is needed only without a connection string,
 * and other destinations should not pay for loading it.
 */
function defaultCredential(): import('@azure/identity').DefaultAzureCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const identity = require('@azure/identity') as typeof import('@azure/identity');
  return new identity.DefaultAzureCredential();
}
